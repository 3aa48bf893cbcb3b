// Binding and freshness of a signed relay message: this device, not expired,
// not issued too far in the future, nonce never seen.
import { MAX_FUTURE_SKEW_MS, MAX_REQUEST_LIFETIME_MS } from '../../protocol/limits.js';
import { clockSkewText } from '../../shared/clock-skew-text.js';
import type { ReplayCache } from './replay-cache.js';
import { reject, type Rejection } from './rejection.js';

export interface Signed {
  deviceId: string;
  nonce: string;
  issuedAt: string;
  expiresAt: string;
}

/** Checks, then remembers the nonce. Call only after the signature verified. */
export function checkFreshness(p: Signed, deviceId: string, now: number, replay: ReplayCache): Rejection | undefined {
  if (p.deviceId !== deviceId) return reject('wrong-device', 'the request is bound to another device');
  const issued = Date.parse(p.issuedAt);
  const expires = Date.parse(p.expiresAt);
  // The relay stamped the request with its own clock: past the allowance, the gap is this device's clock offset.
  const offset = now - issued;
  const skew = Math.abs(offset) > MAX_FUTURE_SKEW_MS ? `: ${clockSkewText("this device's", offset)}` : '';
  if (issued - now > MAX_FUTURE_SKEW_MS) {
    return reject('not-yet-valid', `the request was issued more than 5 minutes in the future${skew}`);
  }
  if (expires <= now) return reject('expired', `the request has expired${skew}`);
  if (expires - issued > MAX_REQUEST_LIFETIME_MS || expires < issued) return reject('expired', 'the request claims an impossible validity window');
  if (!replay.isFresh(p.nonce, issued)) return reject('replayed', 'the request nonce was seen before');
  replay.remember(p.nonce, expires + MAX_FUTURE_SKEW_MS);
  return undefined;
}
