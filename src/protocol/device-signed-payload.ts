// What a device signs for an agent message, without any crypto: the ctx string
// of each type and the exact bytes, so the technician console in the browser
// (WebCrypto) checks the same bytes the agent, the relay and the CLI
// (node:crypto, device-signatures.ts) do. Browser-safe: no Node imports.
import { canonicalize } from './canonical-json.js';
import type { Message } from './messages.js';

export type DeviceSignedType =
  | 'session.decision'
  | 'session.scope-update'
  | 'session.started'
  | 'session.summary'
  | 'session.user-message'
  | 'session.resolution';
export type DeviceSignable = Message<DeviceSignedType>;

/** The ctx of each device-signed type (SIGNING_CONTEXTS holds the same strings). */
export const DEVICE_CONTEXT_STRINGS = {
  'session.decision': 'porchlight/v1/device/session.decision',
  'session.scope-update': 'porchlight/v1/device/session.scope-update',
  'session.started': 'porchlight/v1/device/session.started',
  'session.summary': 'porchlight/v1/device/session.summary',
  // Issue 20: the user's own words, and their answer to "Is your problem solved?".
  'session.user-message': 'porchlight/v1/device/session.user-message',
  'session.resolution': 'porchlight/v1/device/session.resolution',
} as const satisfies Record<DeviceSignedType, string>;

/** What a device signature binds the message to. */
export interface DeviceBinding {
  deviceId: string;
  /** The request (session or scope request) the message answers. */
  requestId: string;
  /** That request's nonce, as the relay signed it. */
  nonce: string;
}

export function isDeviceSignable(msg: Message): msg is DeviceSignable {
  return Object.hasOwn(DEVICE_CONTEXT_STRINGS, msg.type);
}

/** The exact value the device signs for a message. */
export function deviceSignedPayload(msg: DeviceSignable, binding: DeviceBinding): unknown {
  const { id: _id, deviceSig: _sig, ...body } = msg;
  return { deviceId: binding.deviceId, requestId: binding.requestId, nonce: binding.nonce, message: body };
}

/** The signed bytes (UTF-8 of this string): `canonical({ctx, payload})`, as for every signature. */
export function deviceSigningInput(msg: DeviceSignable, binding: DeviceBinding): string {
  return canonicalize({ ctx: DEVICE_CONTEXT_STRINGS[msg.type], payload: deviceSignedPayload(msg, binding) });
}
