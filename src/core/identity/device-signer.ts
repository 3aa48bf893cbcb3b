// Signs what the agent reports (decision, scope update, session started,
// summary, the user's messages and resolution answer) with the device key, bound to the request each one answers and that
// request's nonce. It sits on the way out to the relay, after the audit record
// and its anchor, so the flows stay unaware of it. Bounded: it remembers the
// newest request nonces and session -> request links only.
import { isDeviceSignable, signDeviceMessage, type DeviceSignable } from '../../protocol/device-signatures.js';
import type { Message } from '../../protocol/messages.js';
import type { Ed25519KeyPair } from '../../protocol/signing.js';

export const MAX_REMEMBERED_REQUESTS = 10_000;

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_REMEMBERED_REQUESTS) map.delete(map.keys().next().value as K);
}

export class DeviceSigner {
  private readonly nonces = new Map<string, string>();
  private readonly sessionRequest = new Map<string, string>();

  constructor(
    private readonly deviceId: string,
    private readonly deviceKey: Ed25519KeyPair,
  ) {}

  /** Called with each frame from the relay: a request's id and nonce are what the answer binds to. */
  observe(msg: Message): void {
    if (msg.type === 'session.request') remember(this.nonces, msg.payload.requestId, msg.payload.nonce);
    if (msg.type === 'session.scope-request') {
      remember(this.nonces, msg.payload.requestId, msg.payload.nonce);
    }
  }

  /** The message as sent: device-signed when it is signable and its request is known. */
  sign(msg: Message): Message {
    if (!isDeviceSignable(msg)) return msg;
    if (msg.type === 'session.started') remember(this.sessionRequest, msg.sessionId, msg.requestId);
    if (msg.type === 'session.decision' && msg.sessionId) remember(this.sessionRequest, msg.sessionId, msg.requestId);
    const requestId = this.requestOf(msg);
    const nonce = requestId === undefined ? undefined : this.nonces.get(requestId);
    if (requestId === undefined || nonce === undefined) return msg;
    return signDeviceMessage(msg, { deviceId: this.deviceId, requestId, nonce }, this.deviceKey);
  }

  private requestOf(msg: DeviceSignable): string | undefined {
    switch (msg.type) {
      case 'session.decision':
      case 'session.started':
        return msg.requestId;
      case 'session.scope-update':
        // An escalation answers its scope request; a revocation or extension belongs to the session's request.
        return msg.requestId ?? this.sessionRequest.get(msg.sessionId);
      case 'session.summary':
        return msg.summary.requestId;
      // The user's words and their answer on the fix belong to the session's request, as its summary does.
      case 'session.user-message':
      case 'session.resolution':
        return this.sessionRequest.get(msg.sessionId);
    }
  }
}
