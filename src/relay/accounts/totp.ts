// TOTP (RFC 6238) second factor, through otpauth: SHA-1, 6 digits, 30 s steps,
// the defaults every authenticator app reads from an otpauth:// URI.
import { Secret, TOTP } from 'otpauth';

const PERIOD_SEC = 30;
/** Codes one step either side are accepted: a phone a few seconds off still works. */
const WINDOW = 1;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpFor(secretBase32: string, label = 'technician'): TOTP {
  return new TOTP({ issuer: 'Porchlight', label, algorithm: 'SHA1', digits: 6, period: PERIOD_SEC, secret: Secret.fromBase32(secretBase32) });
}

/** The URI an authenticator app scans (it holds the secret: show it once, to the technician only). */
export function totpUri(secretBase32: string, label: string): string {
  return totpFor(secretBase32, label).toString();
}

/**
 * The time step a code belongs to, or null when it matches none in the window.
 * The caller claims the step in storage so each code is good exactly once.
 */
export function totpStep(secretBase32: string, code: string, nowMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secretBase32).validate({ token: code, timestamp: nowMs, window: WINDOW });
  return delta === null ? null : Math.floor(nowMs / 1000 / PERIOD_SEC) + delta;
}
