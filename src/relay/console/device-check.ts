// The console's own check of the device (issue 17), in the browser: the
// device key fetched from the relay at request time, its fingerprint computed
// here (not taken from the relay), remembered per relay on first use in the
// browser's storage, and every device-signed frame verified with WebCrypto
// Ed25519 over the same bytes the CLI checks. No WebCrypto (a page not served
// over https or from loopback): nothing is verified, so nothing is requested.
import { judgeDeviceKey, type KnownDeviceVerdict } from '../../protocol/device-key-trust.js';
import { deviceSigningInput, isDeviceSignable } from '../../protocol/device-signed-payload.js';
import { formatFingerprint } from '../../protocol/fingerprint-format.js';
import type { Message } from '../../protocol/messages.js';

const STORAGE_KEY = 'porchlight.known-devices';
/** Bound on remembered devices (oldest first out). */
const MAX_ENTRIES = 5_000;

function bytesOf(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function canVerify(): boolean {
  return typeof crypto !== 'undefined' && crypto.subtle !== undefined;
}

export async function fingerprintOf(publicKey: string): Promise<string> {
  return formatFingerprint(new Uint8Array(await crypto.subtle.digest('SHA-256', bytesOf(publicKey))));
}

interface Entry {
  relay: string;
  deviceId: string;
  fingerprint: string;
}

function readEntries(storage: Storage): Entry[] {
  try {
    const data = JSON.parse(storage.getItem(STORAGE_KEY) ?? '[]') as unknown;
    if (!Array.isArray(data)) return [];
    return data.filter((e): e is Entry => typeof e?.relay === 'string' && typeof e?.deviceId === 'string' && typeof e?.fingerprint === 'string');
  } catch {
    return [];
  }
}

/** Hold the presented key against what this browser remembers for the relay; remember first uses and audited re-keys. */
export function holdDeviceKey(storage: Storage, relay: string, key: Message<'device.key'>): KnownDeviceVerdict {
  const entries = readEntries(storage);
  const entry = entries.find((e) => e.relay === relay && e.deviceId === key.deviceId);
  const verdict = judgeDeviceKey(entry?.fingerprint, { fingerprint: key.fingerprint, rekeys: key.rekeys });
  if (verdict.kind === 'first-use') entries.push({ relay, deviceId: key.deviceId, fingerprint: key.fingerprint });
  if (verdict.kind === 'rekeyed' && entry) entry.fingerprint = verdict.to;
  if (verdict.kind === 'first-use' || verdict.kind === 'rekeyed') storage.setItem(STORAGE_KEY, JSON.stringify(entries.slice(-MAX_ENTRIES)));
  return verdict;
}

export type FrameVerdict =
  | { kind: 'not-signed-type' }
  | { kind: 'verified'; fingerprint: string }
  /** A decision the relay made itself (expiry): it grants nothing, and no device signed it. */
  | { kind: 'relay-made' }
  | { kind: 'refused'; detail: string };

export interface TrustedDevice {
  deviceId: string;
  publicKey: string;
  fingerprint: string;
}

/** `requestId`: the request this console sent (from session.pending). */
export async function checkDeviceFrame(msg: Message, device: TrustedDevice, requestId: string | undefined): Promise<FrameVerdict> {
  if (!isDeviceSignable(msg)) return { kind: 'not-signed-type' };
  const ds = msg.deviceSig;
  if (!ds) {
    if (msg.type === 'session.decision' && msg.granted.length === 0) return { kind: 'relay-made' };
    return { kind: 'refused', detail: `${msg.type} carries no device signature` };
  }
  const expected = msg.type === 'session.scope-update' ? (msg.requestId ?? requestId) : requestId;
  if (ds.requestId !== expected) return { kind: 'refused', detail: `${msg.type} is signed for another request` };
  const input = new TextEncoder().encode(deviceSigningInput(msg, { deviceId: device.deviceId, requestId: ds.requestId, nonce: ds.nonce }));
  let ok: boolean;
  try {
    const key = await crypto.subtle.importKey('raw', bytesOf(device.publicKey), { name: 'Ed25519' }, false, ['verify']);
    ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, bytesOf(ds.sig), input);
  } catch {
    ok = false; // a malformed key or signature verifies nothing
  }
  if (!ok) return { kind: 'refused', detail: `${msg.type} device signature does not verify against key ${device.fingerprint}` };
  return { kind: 'verified', fingerprint: device.fingerprint };
}
