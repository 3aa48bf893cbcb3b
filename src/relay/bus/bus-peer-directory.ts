// PeerDirectory across relay instances (docs/relay.md "Growing past one machine"). Local sockets
// stay in an InProcessPeerDirectory; a device on another instance is a RemoteAgentPeer whose
// send() publishes to that instance. Frames a device sends go to the instance that owns the
// request or session they answer, whose router handles them as if the socket were its own.
// Lookups stay synchronous: presence is a local cache fed by the bus.
import { parseChannelFrame } from '../../protocol/channel-frame.js';
import { encodeFrame, parseFrame } from '../../protocol/frame.js';
import { ACCEPTED_BY, type Message } from '../../protocol/messages.js';
import type { Peer } from '../peer.js';
import type { SharedPendingCounts } from '../routing/shared-pending.js';
import { InProcessPeerDirectory, type DirectoryHooks, type PeerDirectory } from '../peer-directory.js';
import { CLOSE } from '../relay-constants.js';
import { BoundedOwners } from './bounded-owners.js';
import { RemoteOwnedWork } from './remote-owned-work.js';
import { BUS_CHANNELS, type Bus } from './bus.js';
import { instanceMessageSchema, parseBusMessage, presenceMessageSchema, type InstanceMessage } from './bus-messages.js';

export interface BusDirectoryOptions {
  bus: Bus;
  instanceId: string;
  /** An instance silent this long is taken for dead and its devices for offline (default 10 s). */
  aliveMs?: number;
  log?: (line: string) => void;
}

/** A device connected to another instance. */
class RemoteAgentPeer implements Peer {
  readonly connectionId: string;
  constructor(
    readonly instance: string,
    private readonly deviceId: string,
    private readonly post: (instance: string, m: InstanceMessage) => void,
    private readonly self: string,
  ) {
    this.connectionId = `bus:${instance}:${deviceId}`;
  }
  send(msg: Message): void {
    this.post(this.instance, { k: 'to-agent', d: this.deviceId, from: this.self, frame: encodeFrame(msg) });
  }
  /** The channel's credit window (512 KiB per direction) bounds what can sit in Redis for it. */
  sendBinary(frame: Uint8Array): void {
    this.post(this.instance, { k: 'to-agent-bin', d: this.deviceId, from: this.self, data: Buffer.from(frame).toString('base64') });
  }
  close(code: number, reason: string): void {
    this.post(this.instance, { k: 'close-agent', d: this.deviceId, code, reason: reason.slice(0, 120) });
  }
}

/** Every id in a frame that a later frame may answer by. */
function idsOf(msg: Message): string[] {
  type Ids = { requestId?: unknown; sessionId?: unknown };
  const m = msg as Ids & { id?: unknown; re?: unknown; payload?: Ids; summary?: Ids };
  const ids = [m.requestId, m.sessionId, m.payload?.requestId, m.summary?.sessionId, m.summary?.requestId, m.re, m.id];
  return ids.filter((x): x is string => typeof x === 'string');
}

export class BusPeerDirectory implements PeerDirectory {
  private readonly local = new InProcessPeerDirectory();
  private readonly remote = new Map<string, RemoteAgentPeer>();
  private readonly lastAlive = new Map<string, number>();
  private readonly owners = new BoundedOwners();
  private readonly ownedElsewhere = new RemoteOwnedWork();
  private readonly inbox = new Map<string, Promise<void>>();
  private readonly leaving = new WeakSet<RemoteAgentPeer>();
  private hooks: DirectoryHooks | undefined;
  private readonly aliveMs: number;
  private timer: ReturnType<typeof setInterval> | undefined;

  private constructor(private readonly o: BusDirectoryOptions) {
    this.aliveMs = o.aliveMs ?? 10_000;
  }

  /** Subscribe, load the presence of live instances, start announcing this one. */
  static async start(o: BusDirectoryOptions): Promise<BusPeerDirectory> {
    const d = new BusPeerDirectory(o);
    await o.bus.subscribe(BUS_CHANNELS.presence, (text) => d.onPresence(text));
    await o.bus.subscribe(BUS_CHANNELS.instance(o.instanceId), (text) => d.onInstance(text));
    await d.announce();
    for (const [deviceId, instance] of await o.bus.allPresence()) {
      if (instance === o.instanceId) continue;
      if (await o.bus.isAlive(instance)) {
        d.lastAlive.set(instance, Date.now());
        d.remote.set(deviceId, d.remotePeer(instance, deviceId));
      } else {
        await o.bus.clearPresence(deviceId, instance); // left behind by an instance that died
      }
    }
    d.timer = setInterval(() => void d.tick(), Math.max(50, Math.floor(d.aliveMs / 3)));
    d.timer.unref();
    return d;
  }

  get sharedPending(): SharedPendingCounts {
    return this.o.bus.pending;
  }

  bind(hooks: DirectoryHooks): void {
    this.hooks = hooks;
  }

  attachAgent(deviceId: string, peer: Peer): Peer | undefined {
    // The device's older connection on another instance: end what ran over it, then close it there.
    const elsewhere = this.remote.get(deviceId);
    if (elsewhere) {
      this.forgetRemote(deviceId, elsewhere);
      elsewhere.close(CLOSE.replaced, 'replaced by a newer connection on another relay instance');
    }
    const previous = this.local.attachAgent(deviceId, peer);
    this.fire(this.o.bus.setPresence(deviceId, this.o.instanceId));
    this.fire(this.o.bus.publish(BUS_CHANNELS.presence, JSON.stringify({ k: 'attach', d: deviceId, i: this.o.instanceId })));
    return previous;
  }

  detachAgent(deviceId: string, peer: Peer): boolean {
    if (peer instanceof RemoteAgentPeer) {
      if (this.leaving.delete(peer)) return true;
      if (this.remote.get(deviceId) !== peer) return false;
      this.remote.delete(deviceId);
      return true;
    }
    if (!this.local.detachAgent(deviceId, peer)) return false;
    this.fire(this.o.bus.clearPresence(deviceId, this.o.instanceId));
    this.fire(this.o.bus.publish(BUS_CHANNELS.presence, JSON.stringify({ k: 'detach', d: deviceId, i: this.o.instanceId })));
    return true;
  }

  agent(deviceId: string): Peer | undefined {
    return this.local.agent(deviceId) ?? this.remote.get(deviceId);
  }

  get agentCount(): number {
    return this.local.agentCount + this.remote.size;
  }

  /** A frame from a local device that answers another instance's request or session goes there. */
  forwardFromAgent(deviceId: string, msg: Message): boolean {
    if (!this.local.agent(deviceId)) return false; // came over the bus already: handled here
    const ids = idsOf(msg).slice(0, -1); // its own id answers nothing
    const owner = ids.map((id) => this.owners.get(id)).find((x) => x !== undefined);
    if (owner === undefined || owner === this.o.instanceId) return false;
    for (const id of ids) this.owners.set(id, owner);
    this.ownedElsewhere.fromAgent(deviceId, owner, msg);
    this.post(owner, { k: 'from-agent', d: deviceId, from: this.o.instanceId, frame: encodeFrame(msg) });
    return true;
  }

  forwardBinaryFromAgent(deviceId: string, frame: Uint8Array): boolean {
    if (!this.local.agent(deviceId)) return false;
    const parsed = parseChannelFrame(frame);
    const owner = parsed.ok ? this.owners.get(parsed.frame.sessionId) : undefined;
    if (owner === undefined || owner === this.o.instanceId) return false; // a bad frame is refused here, by the router
    this.post(owner, { k: 'from-agent-bin', d: deviceId, from: this.o.instanceId, data: Buffer.from(frame).toString('base64') });
    return true;
  }

  /** Leave cleanly: devices here are offline for the others at once, not after aliveMs. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const deviceId of this.local.deviceIds()) {
      await this.o.bus.clearPresence(deviceId, this.o.instanceId).catch(() => undefined);
      await this.o.bus.publish(BUS_CHANNELS.presence, JSON.stringify({ k: 'detach', d: deviceId, i: this.o.instanceId })).catch(() => undefined);
    }
    await this.o.bus.markGone(this.o.instanceId).catch(() => undefined);
  }

  private remotePeer(instance: string, deviceId: string): RemoteAgentPeer {
    return new RemoteAgentPeer(instance, deviceId, (to, m) => this.post(to, m), this.o.instanceId);
  }

  private post(instance: string, m: InstanceMessage): void {
    this.fire(this.o.bus.publish(BUS_CHANNELS.instance(instance), JSON.stringify(m)));
  }

  /** Bus calls run in the background; a failure is logged (the peer's frames then time out as offline). */
  private fire(p: Promise<unknown>): void {
    p.catch((err: unknown) => this.o.log?.(`relay bus: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** Sessions with a device that left another instance end here as agent-lost. */
  private forgetRemote(deviceId: string, peer: RemoteAgentPeer): void {
    if (this.remote.get(deviceId) === peer) this.remote.delete(deviceId);
    // After the frames it sent before leaving; the router's detach then finds it in `leaving`.
    this.leaving.add(peer);
    this.inOrder(deviceId, () => this.hooks?.remoteAgentGone(deviceId, peer));
  }

  private async announce(): Promise<void> {
    await this.o.bus.markAlive(this.o.instanceId, this.aliveMs);
    await this.o.bus.publish(BUS_CHANNELS.presence, JSON.stringify({ k: 'alive', i: this.o.instanceId }));
  }

  private async tick(): Promise<void> {
    await this.announce().catch((err: unknown) => this.o.log?.(`relay bus: cannot announce this instance: ${(err as Error).message}`));
    const now = Date.now();
    for (const [deviceId, peer] of [...this.remote]) {
      if (now - (this.lastAlive.get(peer.instance) ?? 0) > this.aliveMs) this.forgetRemote(deviceId, peer);
    }
    for (const [instance, at] of [...this.lastAlive]) {
      if (now - at <= this.aliveMs) continue;
      this.lastAlive.delete(instance);
      this.ownerGone(instance);
    }
  }

  /** An instance went silent: what its technicians had open with devices here ends at the device. */
  private ownerGone(instance: string): void {
    const ends = this.ownedElsewhere.instanceGone(instance);
    if (ends.length > 0) this.o.log?.(`relay bus: instance ${instance} went silent; ending ${ends.length} request(s)/session(s) it held with devices here`);
    for (const { deviceId, frame } of ends) this.local.agent(deviceId)?.send(frame);
  }

  private onPresence(text: string): void {
    const m = parseBusMessage(presenceMessageSchema, text);
    if (!m || m.i === this.o.instanceId) return;
    this.lastAlive.set(m.i, Date.now());
    if (m.k === 'attach') {
      const old = this.remote.get(m.d);
      if (old && old.instance !== m.i) this.forgetRemote(m.d, old);
      const here = this.local.agent(m.d);
      if (here) here.close(CLOSE.replaced, 'replaced by a newer connection on another relay instance');
      if (!this.remote.has(m.d)) this.remote.set(m.d, this.remotePeer(m.i, m.d));
    } else if (m.k === 'detach') {
      const old = this.remote.get(m.d);
      if (old?.instance === m.i) this.forgetRemote(m.d, old);
    }
  }

  private onInstance(text: string): void {
    const m = parseBusMessage(instanceMessageSchema, text);
    if (!m) return this.o.log?.('relay bus: a malformed envelope was dropped');
    if (m.k === 'close-agent') return this.local.agent(m.d)?.close(m.code, m.reason);
    if (m.k === 'to-agent-bin') return this.local.agent(m.d)?.sendBinary(Buffer.from(m.data, 'base64'));
    if (m.k === 'from-agent-bin') {
      const peer = this.remoteFor(m.d, m.from);
      const frame = new Uint8Array(Buffer.from(m.data, 'base64'));
      return this.inOrder(m.d, async () => void this.hooks?.binaryFromRemoteAgent(peer, m.d, frame));
    }
    if (m.k === 'to-agent') {
      const parsed = parseFrame(m.frame, ACCEPTED_BY.agentFromRelay);
      if (!parsed.ok) return this.o.log?.(`relay bus: a frame for ${m.d} from ${m.from} was dropped (${parsed.code})`);
      for (const id of idsOf(parsed.msg)) this.owners.set(id, m.from);
      this.ownedElsewhere.toAgent(m.d, m.from, parsed.msg);
      this.local.agent(m.d)?.send(parsed.msg);
      return;
    }
    const parsed = parseFrame(m.frame, ACCEPTED_BY.relayFromAgent);
    if (!parsed.ok) return this.o.log?.(`relay bus: a frame from ${m.d} via ${m.from} was dropped (${parsed.code})`);
    const peer = this.remoteFor(m.d, m.from);
    this.inOrder(m.d, () => this.hooks?.fromRemoteAgent(peer, m.d, parsed.msg));
  }

  /** The peer for a device that spoke from `instance` (which is then alive, and holds the device). */
  private remoteFor(deviceId: string, instance: string): RemoteAgentPeer {
    this.lastAlive.set(instance, Date.now());
    let peer = this.remote.get(deviceId);
    if (peer?.instance !== instance) {
      peer = this.remotePeer(instance, deviceId);
      this.remote.set(deviceId, peer);
    }
    return peer;
  }

  /** A device's frames are handled one after another, as a socket's are (a start must not overtake its decision). */
  private inOrder(deviceId: string, work: () => Promise<void> | undefined): void {
    const next = (this.inbox.get(deviceId) ?? Promise.resolve()).then(work).catch((err: unknown) => {
      this.o.log?.(`relay bus: a frame from ${deviceId} failed: ${err instanceof Error ? err.message : String(err)}`);
    });
    this.inbox.set(deviceId, next);
    void next.then(() => {
      if (this.inbox.get(deviceId) === next) this.inbox.delete(deviceId);
    });
  }
}
