// Agent hello: first connect registers the device key with a one-time
// enrollment token bound to the device id; later connects prove possession of
// the registered key over a fresh, unseen nonce.
import type { ErrorCode } from '../protocol/error-codes.js';
import { MAX_FUTURE_SKEW_MS } from '../protocol/limits.js';
import type { AgentHello } from '../protocol/messages.js';
import { verifyHelloProof } from '../protocol/signed-messages.js';
import type { NonceCache } from './nonce-cache.js';
import { hashSecretToken } from './secret-token.js';
import type { RelayStorage } from './storage/storage.js';

export type AgentAuthResult = { ok: true; deviceId: string; enrolled: boolean } | { ok: false; code: ErrorCode; detail: string };

export async function authenticateAgent(hello: AgentHello, storage: RelayStorage, nonces: NonceCache, nowMs: number): Promise<AgentAuthResult> {
  const issued = Date.parse(hello.issuedAt);
  if (Math.abs(issued - nowMs) > MAX_FUTURE_SKEW_MS) return { ok: false, code: 'unauthorized', detail: 'hello is not fresh (clock skew over 5 minutes)' };
  if (!verifyHelloProof(hello, hello.devicePublicKey)) return { ok: false, code: 'unauthorized', detail: 'hello proof does not verify' };
  const device = await storage.getDevice(hello.deviceId);
  const now = new Date(nowMs).toISOString();
  if (device && device.publicKey === hello.devicePublicKey) {
    if (!nonces.remember(hello.nonce, nowMs)) return { ok: false, code: 'unauthorized', detail: 'hello nonce was used before' };
    // last-seen is coarse on purpose: one write per device per 10 minutes, not per reconnect.
    if (device.lastSeenAt === null || nowMs - Date.parse(device.lastSeenAt) > 10 * 60_000) await storage.touchDevice(hello.deviceId, now);
    return { ok: true, deviceId: hello.deviceId, enrolled: false };
  }
  // Unknown device, or a new key for a known one: only a one-time enrollment token may (re)register it.
  if (hello.enrollmentToken === undefined) return { ok: false, code: 'unauthorized', detail: 'device is not enrolled with this key' };
  if (!nonces.remember(hello.nonce, nowMs)) return { ok: false, code: 'unauthorized', detail: 'hello nonce was used before' };
  if (!(await storage.consumeEnrollment(hello.deviceId, hashSecretToken(hello.enrollmentToken), now))) {
    return { ok: false, code: 'unauthorized', detail: 'enrollment token is unknown, used, expired or for another device' };
  }
  await storage.registerDevice({ deviceId: hello.deviceId, publicKey: hello.devicePublicKey, enrolledAt: now, lastSeenAt: now });
  return { ok: true, deviceId: hello.deviceId, enrolled: true };
}
