// Agent hello: the proof must sign this connection's challenge and context
// (hello-proof.ts), so a recorded hello is worthless elsewhere. First connect
// registers the device key with a one-time enrollment token bound to the
// device id; replacing an enrolled key needs a re-key token an admin issued
// (`relay enroll-device --rekey`). Later connects prove the registered key.
import type { ErrorCode } from '../protocol/error-codes.js';
import { verifyHelloProof, type HelloConnectionContext } from '../protocol/hello-proof.js';
import { MAX_FUTURE_SKEW_MS } from '../protocol/limits.js';
import type { AgentHello } from '../protocol/messages.js';
import { keyFingerprint } from '../protocol/signing.js';
import type { NonceCache } from './nonce-cache.js';
import { clockSkewText } from '../shared/clock-skew-text.js';
import { hashSecretToken } from './secret-token.js';
import type { RelayStorage } from './storage/storage.js';

export type AgentAuthResult =
  | { ok: true; deviceId: string; enrolled: boolean; rekeyed?: { from: string; to: string } }
  | { ok: false; code: ErrorCode; detail: string; clockSkew?: { deviceId: string; offsetMs: number } };

export interface AgentAuthContext {
  storage: RelayStorage;
  nonces: NonceCache;
  nowMs: number;
  /** When this relay process started: a hello issued before it can only be a recording. */
  relayStartedAtMs: number;
  connection: HelloConnectionContext;
}

const refuse = (detail: string, code: ErrorCode = 'unauthorized'): AgentAuthResult => ({ ok: false, code, detail });

/**
 * A hello from a clock off by more than the allowance. The relay remembers it for the technician only when
 * the hello proved the device's enrolled key: nobody can make another device look refused.
 */
async function refuseSkewed(hello: AgentHello, offsetMs: number, storage: RelayStorage): Promise<AgentAuthResult> {
  const detail = `hello is not fresh: ${clockSkewText('the device', offsetMs)}`;
  const device = await storage.getDevice(hello.deviceId);
  if (device?.publicKey !== hello.devicePublicKey) return refuse(detail);
  return { ok: false, code: 'unauthorized', detail, clockSkew: { deviceId: hello.deviceId, offsetMs } };
}

export async function authenticateAgent(hello: AgentHello, auth: AgentAuthContext): Promise<AgentAuthResult> {
  const { storage, nonces, nowMs } = auth;
  if (hello.challenge !== auth.connection.challenge) return refuse("hello does not answer this connection's challenge");
  if (!verifyHelloProof(hello, auth.connection)) {
    return refuse('hello proof does not verify for this connection (challenge, relay key or TLS channel)');
  }
  const issued = Date.parse(hello.issuedAt);
  if (Math.abs(issued - nowMs) > MAX_FUTURE_SKEW_MS) return refuseSkewed(hello, issued - nowMs, storage);
  if (issued < auth.relayStartedAtMs) return refuse('hello was issued before the relay started');
  const device = await storage.getDevice(hello.deviceId);
  const now = new Date(nowMs).toISOString();
  if (device && device.publicKey === hello.devicePublicKey) {
    // Only hellos that proved an enrolled key reach the nonce store, so junk can't fill it.
    const seen = nonces.remember(hello.nonce, nowMs);
    if (seen === 'seen') return refuse('hello nonce was used before');
    if (seen === 'full') return refuse("the relay's hello nonce store is full; try again later", 'busy');
    // last-seen is coarse on purpose: one write per device per 10 minutes, not per reconnect.
    const stale = device.lastSeenAt === null || nowMs - Date.parse(device.lastSeenAt) > 10 * 60_000;
    if (stale) await storage.touchDevice(hello.deviceId, now);
    return { ok: true, deviceId: hello.deviceId, enrolled: false };
  }
  // Unknown device, or a new key for a known one: only a one-time token may register it.
  // The token is its own replay guard (consumed once); its nonce is remembered once the token is spent.
  if (hello.enrollmentToken === undefined) return refuse('device is not enrolled with this key');
  const purpose = device ? 'rekey' : 'enroll';
  if (!(await storage.consumeEnrollment(hello.deviceId, hashSecretToken(hello.enrollmentToken), now, purpose))) {
    if (device) {
      const how = 'an admin must allow it with `porchlight relay enroll-device --rekey`';
      return refuse(`device is already enrolled with another key; ${how}`);
    }
    return refuse('enrollment token is unknown, used, expired or for another device');
  }
  // Remembered too (the token is spent either way): without it, the enrollment hello, proving the key it just
  // enrolled, would pass the nonce check if it were ever replayed over the same challenge.
  nonces.remember(hello.nonce, nowMs);
  const { deviceId, devicePublicKey } = hello;
  await storage.registerDevice({ deviceId, publicKey: devicePublicKey, enrolledAt: now, lastSeenAt: now });
  const rekeyed = device ? { from: keyFingerprint(device.publicKey), to: keyFingerprint(devicePublicKey) } : undefined;
  return { ok: true, deviceId: hello.deviceId, enrolled: true, ...(rekeyed ? { rekeyed } : {}) };
}
