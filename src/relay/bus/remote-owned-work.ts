// The requests and sessions of this instance's devices that another instance owns (its
// technician is connected there). When that instance dies it can end none of them, so the
// instance holding the device does: the agent stops prompting, or ends the session with a
// reason, instead of keeping a session open for a technician who is gone. Bounded like
// BoundedOwners: the oldest entries go first.
import { newMessageId } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';

interface OwnedWork {
  instance: string;
  deviceId: string;
  kind: 'request' | 'session';
}

/** What the agent reads when the instance of its session's technician stopped. */
export const OWNER_LOST_REASON = 'the relay instance holding the technician\'s connection stopped';

export class RemoteOwnedWork {
  private readonly work = new Map<string, OwnedWork>();
  constructor(private readonly max = 100_000) {}

  /** A frame another instance sent to a device here. */
  toAgent(deviceId: string, from: string, msg: Message): void {
    if (msg.type === 'session.request') this.hold(msg.payload.requestId, { instance: from, deviceId, kind: 'request' });
    else if (msg.type === 'session.cancel') this.work.delete(msg.requestId);
    else if (msg.type === 'session.end') this.work.delete(msg.sessionId);
  }

  /** A frame a device here sent to the instance that owns what it answers. */
  fromAgent(deviceId: string, owner: string, msg: Message): void {
    if (msg.type === 'session.decision') this.work.delete(msg.requestId);
    if (msg.type === 'session.started') this.hold(msg.sessionId, { instance: owner, deviceId, kind: 'session' });
    else if (msg.type === 'session.end') this.work.delete(msg.sessionId);
  }

  /** The frames that end, at each device, what `instance` owned; forgotten here. */
  instanceGone(instance: string): { deviceId: string; frame: Message }[] {
    const out: { deviceId: string; frame: Message }[] = [];
    for (const [id, w] of [...this.work]) {
      if (w.instance !== instance) continue;
      this.work.delete(id);
      const frame: Message =
        w.kind === 'request'
          ? { v: 1, type: 'session.cancel', id: newMessageId(), requestId: id }
          : { v: 1, type: 'session.end', id: newMessageId(), sessionId: id, by: 'relay-lost', reason: OWNER_LOST_REASON };
      out.push({ deviceId: w.deviceId, frame });
    }
    return out;
  }

  get size(): number {
    return this.work.size;
  }

  private hold(id: string, w: OwnedWork): void {
    this.work.delete(id);
    this.work.set(id, w);
    if (this.work.size > this.max) this.work.delete(this.work.keys().next().value!);
  }
}
