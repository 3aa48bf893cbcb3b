// Device signatures on agent frames, checked before anything is audited as the
// device's or forwarded: a decision, scope update, start, summary, user message
// or resolution answer must carry
// a signature that verifies against the key the device enrolled with, for the
// request it answers and that request's nonce. There is no unsigned path: a
// missing, broken or misbound signature is refused and audited and never
// reaches the technician.
import {
  isDeviceSignable,
  verifyDeviceMessage,
  type DeviceSignable,
  type DeviceSignatureExpectation,
} from '../../protocol/device-signatures.js';
import { errorMessage } from '../../protocol/frame.js';
import type { DeviceSignature, Message } from '../../protocol/messages.js';
import type { Peer } from '../peer.js';
import type { RoutingContext } from './routing-context.js';

/** The request (and, where the relay still holds it, its nonce) a signed agent frame must be bound to. */
function expectedBinding(ctx: RoutingContext, msg: DeviceSignable): { requestId?: string; nonce?: string } {
  const { table } = ctx;
  switch (msg.type) {
    case 'session.decision': {
      const req = table.pendingRequest(msg.requestId);
      return { requestId: msg.requestId, ...(req ? { nonce: req.requestNonce } : {}) };
    }
    case 'session.started': {
      const owner = table.awaitingStart(msg.requestId) ?? table.session(msg.sessionId);
      return { requestId: msg.requestId, ...(owner ? { nonce: owner.requestNonce } : {}) };
    }
    case 'session.scope-update': {
      const s = table.session(msg.sessionId);
      if (msg.requestId !== undefined) {
        const nonce = s?.scopeNonces.get(msg.requestId);
        return { requestId: msg.requestId, ...(nonce !== undefined ? { nonce } : {}) };
      }
      // A revocation or extension answers no scope request: it is bound to the session's own request.
      return s ? { requestId: s.requestId, nonce: s.requestNonce } : {};
    }
    case 'session.summary': {
      const s = table.session(msg.summary.sessionId);
      const nonce = s && s.requestId === msg.summary.requestId ? { nonce: s.requestNonce } : {};
      return { requestId: msg.summary.requestId, ...nonce };
    }
    case 'session.user-message': {
      const s = table.session(msg.sessionId);
      return s ? { requestId: s.requestId, nonce: s.requestNonce } : {};
    }
    case 'session.resolution':
      // It comes after the summary, when the session is no longer routed: resolution-reports.ts checks the
      // signature's request against the session's start in the central audit.
      return {};
  }
}

/** What the relay keeps of a verified device signature: the signature and the enrolled key it verified under. */
export type VerifiedDeviceSig = DeviceSignature & { devicePublicKey: string };

/**
 * `false` after refusing the frame; otherwise the verified signature to record with it (`undefined` for types the
 * device does not sign).
 */
export async function passesDeviceSignature(
  ctx: RoutingContext,
  peer: Peer,
  deviceId: string,
  msg: Message,
): Promise<VerifiedDeviceSig | undefined | false> {
  if (!isDeviceSignable(msg)) return undefined;
  const device = await ctx.storage.getDevice(deviceId);
  const binding = expectedBinding(ctx, msg);
  const expectation: DeviceSignatureExpectation | undefined = device
    ? { deviceId, devicePublicKey: device.publicKey, ...binding }
    : undefined;
  const verdict = expectation
    ? verifyDeviceMessage(msg, expectation)
    : ({ ok: false, detail: 'the device is not enrolled' } as const);
  if (verdict.ok) return { ...msg.deviceSig!, devicePublicKey: expectation!.devicePublicKey };
  const sessionId = 'sessionId' in msg && typeof msg.sessionId === 'string' ? msg.sessionId : null;
  const where = { deviceId, requestId: binding.requestId ?? null, sessionId };
  await ctx.audit.record('rejected', where, { action: msg.type, code: 'bad-signature', detail: verdict.detail });
  peer.send(errorMessage('bad-signature', verdict.detail, msg.id));
  return false;
}
