// Ed25519 signing over canonical JSON with node:crypto. Every signature covers
// `{ctx, payload}` so a signature made for one purpose can't be replayed as another.
import { createPrivateKey, createPublicKey, generateKeyPairSync, hash, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalize } from './canonical-json.js';
import { DEVICE_CONTEXT_STRINGS } from './device-signed-payload.js';
import { formatFingerprint } from './fingerprint-format.js';

/** Signing contexts (domain separation). */
export const SIGNING_CONTEXTS = {
  /** The agent's hello proof, bound to the connection's challenge (the old challenge-less ctx is retired). */
  agentHello: 'porchlight/v1/agent-hello+challenge',
  /** Device-signed agent messages (device-signatures.ts). */
  deviceDecision: DEVICE_CONTEXT_STRINGS['session.decision'],
  deviceScopeUpdate: DEVICE_CONTEXT_STRINGS['session.scope-update'],
  deviceSessionStarted: DEVICE_CONTEXT_STRINGS['session.started'],
  deviceSummary: DEVICE_CONTEXT_STRINGS['session.summary'],
  deviceUserMessage: DEVICE_CONTEXT_STRINGS['session.user-message'],
  deviceResolution: DEVICE_CONTEXT_STRINGS['session.resolution'],
  sessionRequest: 'porchlight/v1/session.request',
  scopeRequest: 'porchlight/v1/session.scope-request',
  /** Issue 20: the relay's scheduling request, the device's agreed window and its cancellation. */
  scheduleRequest: 'porchlight/v1/schedule.request',
  agreedWindow: 'porchlight/v1/device/agreed-window',
  windowRevocation: 'porchlight/v1/device/window-revocation',
  approval: 'porchlight/v1/approval',
  auditCheckpoint: 'porchlight/v1/audit-checkpoint',
} as const;
export type SigningContext = (typeof SIGNING_CONTEXTS)[keyof typeof SIGNING_CONTEXTS];

/** A keypair as stored: raw 32-byte keys in base64url. */
export interface Ed25519KeyPair {
  publicKey: string;
  privateKey: string;
}

export function generateEd25519KeyPair(): Ed25519KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  if (!jwk.d || !jwk.x) throw new Error('node:crypto returned an incomplete Ed25519 JWK');
  void publicKey;
  return { publicKey: jwk.x, privateKey: jwk.d };
}

// Importing a JWK costs about as much as the signature itself: key objects are kept.
// Private: per keypair object, checked against its fields (a changed pair is imported again).
const privateKeys = new WeakMap<Ed25519KeyPair, { d: string; x: string; key: KeyObject }>();
// Public: the devices' keys, bounded; the least recently used goes first.
const MAX_PUBLIC_KEYS = 16_384;
const publicKeys = new Map<string, KeyObject>();

export function privateKeyObject(pair: Ed25519KeyPair): KeyObject {
  const kept = privateKeys.get(pair);
  if (kept && kept.d === pair.privateKey && kept.x === pair.publicKey) return kept.key;
  const key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: pair.privateKey, x: pair.publicKey }, format: 'jwk' });
  privateKeys.set(pair, { d: pair.privateKey, x: pair.publicKey, key });
  return key;
}

export function publicKeyObject(publicKey: string): KeyObject {
  const kept = publicKeys.get(publicKey);
  if (kept) {
    publicKeys.delete(publicKey);
    publicKeys.set(publicKey, kept);
    return kept;
  }
  if (!/^[A-Za-z0-9_-]{43}$/.test(publicKey)) throw new TypeError('not a base64url Ed25519 public key');
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  if (publicKeys.size >= MAX_PUBLIC_KEYS) publicKeys.delete(publicKeys.keys().next().value!);
  publicKeys.set(publicKey, key);
  return key;
}

export function signingInput(ctx: SigningContext, payload: unknown): Buffer {
  return Buffer.from(canonicalize({ ctx, payload }), 'utf8');
}

export function signPayload(ctx: SigningContext, payload: unknown, pair: Ed25519KeyPair): string {
  return sign(null, signingInput(ctx, payload), privateKeyObject(pair)).toString('base64url');
}

/** True only for a valid signature by `publicKey` over exactly this payload in this context. Never throws. */
export function verifyPayload(ctx: SigningContext, payload: unknown, sig: string, publicKey: string): boolean {
  try {
    if (!/^[A-Za-z0-9_-]{86}$/.test(sig)) return false;
    return verify(null, signingInput(ctx, payload), publicKeyObject(publicKey), Buffer.from(sig, 'base64url'));
  } catch {
    return false;
  }
}

/** Short human-comparable fingerprint of a public key: `K7QF-2M9X-ABCD-EFGH-IJKL` (100 bits of sha256). */
export function keyFingerprint(publicKey: string): string {
  return formatFingerprint(hash('sha256', Buffer.from(publicKey, 'base64url'), 'buffer'));
}

export function sha256Hex(data: string | Uint8Array): string {
  // One-shot hash: about twice as fast as createHash for the short inputs of audit records.
  return hash('sha256', data, 'hex');
}
