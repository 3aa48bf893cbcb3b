// Device signatures on agent frames, checked before anything is audited as the
// device's or forwarded: a signed decision, scope update, start or summary must
// verify against the key the device enrolled with, for the request it names.
// A broken one is refused and audited; it never reaches the technician.
import { isDeviceSignable, verifyDeviceMessage } from '../../protocol/device-signatures.js';
import { errorMessage } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import type { Peer } from '../peer.js';
import type { RoutingContext } from './routing-context.js';

/** The request id a signed agent frame must be bound to, when the frame names one. */
function namedRequest(msg: Message): string | undefined {
  if (msg.type === 'session.decision' || msg.type === 'session.started') return msg.requestId;
  if (msg.type === 'session.summary') return msg.summary.requestId;
  if (msg.type === 'session.scope-update') return msg.requestId;
  return undefined;
}

/** True when the frame may go on (unsigned, or signed by the enrolled key); false after refusing it. */
export async function passesDeviceSignature(
  ctx: RoutingContext,
  peer: Peer,
  deviceId: string,
  msg: Message,
): Promise<boolean> {
  if (!isDeviceSignable(msg) || msg.deviceSig === undefined) return true;
  const device = await ctx.storage.getDevice(deviceId);
  const requestId = namedRequest(msg);
  const verdict = device
    ? verifyDeviceMessage(msg, { deviceId, devicePublicKey: device.publicKey, ...(requestId ? { requestId } : {}) })
    : ({ ok: false, detail: 'the device is not enrolled' } as const);
  if (verdict.ok) return true;
  const sessionId = 'sessionId' in msg && typeof msg.sessionId === 'string' ? msg.sessionId : null;
  const where = { deviceId, requestId: requestId ?? null, sessionId };
  await ctx.audit.record('rejected', where, { action: msg.type, code: 'bad-signature', detail: verdict.detail });
  peer.send(errorMessage('bad-signature', verdict.detail, msg.id));
  return false;
}
