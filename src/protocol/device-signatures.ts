// Device-signed agent messages: the agent signs its decisions, scope updates,
// session starts, summaries, the user's messages and resolution answers with the device key, over canonical JSON, each
// type under its own ctx string, bound to the device, the request it answers
// and that request's nonce. Then the relay, the technician and an auditor can
// each prove the user's device said it, not only the relay. `id` (a per-frame
// id) and `deviceSig` itself are outside the signed bytes.
import type { DeviceSignature } from './messages.js';
import { deviceSignedPayload, type DeviceBinding, type DeviceSignable, type DeviceSignedType } from './device-signed-payload.js';
import {
  SIGNING_CONTEXTS,
  keyFingerprint,
  signPayload,
  verifyPayload,
  type Ed25519KeyPair,
  type SigningContext,
} from './signing.js';

export {
  deviceSignedPayload,
  isDeviceSignable,
  type DeviceBinding,
  type DeviceSignable,
  type DeviceSignedType,
} from './device-signed-payload.js';

export const DEVICE_SIGNING_CONTEXTS: Record<DeviceSignedType, SigningContext> = {
  'session.decision': SIGNING_CONTEXTS.deviceDecision,
  'session.scope-update': SIGNING_CONTEXTS.deviceScopeUpdate,
  'session.started': SIGNING_CONTEXTS.deviceSessionStarted,
  'session.summary': SIGNING_CONTEXTS.deviceSummary,
  'session.user-message': SIGNING_CONTEXTS.deviceUserMessage,
  'session.resolution': SIGNING_CONTEXTS.deviceResolution,
};

export const DEVICE_SIGNED_TYPES = Object.keys(DEVICE_SIGNING_CONTEXTS) as readonly DeviceSignedType[];

export function signDeviceMessage<M extends DeviceSignable>(
  msg: M,
  binding: DeviceBinding,
  deviceKey: Ed25519KeyPair,
): M & { deviceSig: DeviceSignature } {
  const sig = signPayload(DEVICE_SIGNING_CONTEXTS[msg.type], deviceSignedPayload(msg, binding), deviceKey);
  return { ...msg, deviceSig: { requestId: binding.requestId, nonce: binding.nonce, sig } };
}

export type DeviceSignatureFailure = 'unsigned' | 'wrong-request' | 'wrong-nonce' | 'bad-signature';

export type DeviceSignatureVerdict =
  | { ok: true; deviceKeyFingerprint: string }
  | { ok: false; reason: DeviceSignatureFailure; detail: string };

export interface DeviceSignatureExpectation {
  deviceId: string;
  /** The enrolled device key (base64url). */
  devicePublicKey: string;
  /** When the verifier knows which request the message must answer. */
  requestId?: string;
  /** When the verifier knows that request's nonce (the relay does; an offline auditor reads it from the record). */
  nonce?: string;
}

/** Checks a device signature against the enrolled key and, where known, the request and nonce. Never throws. */
export function verifyDeviceMessage(msg: DeviceSignable, expect: DeviceSignatureExpectation): DeviceSignatureVerdict {
  const ds = msg.deviceSig;
  const fail = (reason: DeviceSignatureFailure, detail: string): DeviceSignatureVerdict => {
    return { ok: false, reason, detail: `${msg.type} ${detail}` };
  };
  if (!ds) return fail('unsigned', 'carries no device signature');
  if (expect.requestId !== undefined && ds.requestId !== expect.requestId) {
    return fail('wrong-request', `is signed for request ${ds.requestId}, not ${expect.requestId}`);
  }
  if (expect.nonce !== undefined && ds.nonce !== expect.nonce) {
    return fail('wrong-nonce', 'is signed over another request nonce');
  }
  const payload = deviceSignedPayload(msg, { deviceId: expect.deviceId, requestId: ds.requestId, nonce: ds.nonce });
  if (!verifyPayload(DEVICE_SIGNING_CONTEXTS[msg.type], payload, ds.sig, expect.devicePublicKey)) {
    return fail('bad-signature', 'device signature does not verify against the enrolled key');
  }
  return { ok: true, deviceKeyFingerprint: keyFingerprint(expect.devicePublicKey) };
}
