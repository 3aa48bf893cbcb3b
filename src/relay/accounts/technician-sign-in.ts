// A technician's hello: token (current, or rotated-out within its grace), account
// state, second factor, and the failed-sign-in limiter, with every outcome in the
// central audit. The token and the one-time code are never logged or recorded.
import type { ErrorCode } from '../../protocol/error-codes.js';
import type { SignInFailure } from '../audit/audit-record.js';
import type { CentralAudit } from '../audit/central-audit.js';
import { hashSecretToken } from '../secret-token.js';
import type { RelayStorage, TechnicianRecord } from '../storage/storage.js';
import { accountState, tokenStanding } from './account-state.js';
import { mfaAtSignIn, type MfaPolicy } from './mfa-policy.js';
import type { SignInLimiter } from './sign-in-limiter.js';
import { totpStep } from './totp.js';

export interface SignInDeps {
  storage: RelayStorage;
  audit: CentralAudit;
  limiter: SignInLimiter;
  mfa: MfaPolicy;
  nowMs: number;
  /** Told when a failure starts a lockout, in words (the relay logs it, throttled). */
  onLockout?: (what: string) => void;
}

export interface SignInAttempt {
  token: string;
  otp?: string;
  address: string;
  client?: string;
}

/** A signed-in technician as routing sees it: whether this connection proved a second factor. */
export type SignedInTechnician = TechnicianRecord & { mfaVerified?: true };

export type SignInResult = { ok: true; tech: SignedInTechnician; tokenHash: string } | { ok: false; code: ErrorCode; detail: string };

export async function signInTechnician(d: SignInDeps, a: SignInAttempt): Promise<SignInResult> {
  const addressKey = `address:${a.address}`;
  const addressWait = d.limiter.retryIn(addressKey, d.nowMs);
  if (addressWait > 0) return lockedOut(addressWait);
  const tokenHash = hashSecretToken(a.token);
  const tech = await d.storage.findTechnicianByTokenHash(tokenHash);
  const refuse = (reason: SignInFailure, detail: string, counts = true) => failed(d, a, tech, reason, detail, counts);
  if (!tech) return refuse('unknown-token', 'unknown technician token');
  const techWait = d.limiter.retryIn(`technician:${tech.id}`, d.nowMs);
  if (techWait > 0) return lockedOut(techWait);
  if (tokenStanding(tech, tokenHash, d.nowMs) === 'rotated') return refuse('rotated', 'this token was replaced (rotate-token); use the new one');
  const state = accountState(tech, d.nowMs);
  if (!state.ok) return refuse(state.reason, state.detail);

  let mfaVerified = false;
  if (a.otp !== undefined && tech.mfaSecret !== undefined) {
    const step = totpStep(tech.mfaSecret, a.otp, d.nowMs);
    if (step === null || !(await d.storage.claimOtpStep(tech.id, step))) return refuse('wrong-otp', 'wrong or already used one-time code');
    mfaVerified = true;
  }
  if (!mfaVerified && mfaAtSignIn(d.mfa, tech.group)) {
    // Not a failed guess: a client without the code learns it must ask for one.
    if (tech.mfaSecret === undefined) {
      return refuse('mfa-not-enrolled', `this relay requires a second factor and ${tech.id} has none; IT: porchlight relay technicians mfa enroll ${tech.id}`, false);
    }
    return refuse('otp-required', 'this relay requires a one-time code: pass --otp CODE or PORCHLIGHT_OTP', false);
  }
  d.limiter.succeed(`technician:${tech.id}`);
  const at = new Date(d.nowMs).toISOString();
  await d.storage.recordTechnicianSignIn(tech.id, at);
  await d.audit.record('technician-sign-in', { technicianId: tech.id }, { mfa: mfaVerified, address: a.address, ...(a.client ? { client: a.client } : {}) });
  const signedIn: SignedInTechnician = mfaVerified ? { ...tech, lastSignInAt: at, mfaVerified: true } : { ...tech, lastSignInAt: at };
  return { ok: true, tech: signedIn, tokenHash };
}

function lockedOut(retryInSec: number): SignInResult {
  return { ok: false, code: 'rate-limited', detail: `too many failed sign-ins, retry in ${retryInSec} s` };
}

async function failed(d: SignInDeps, a: SignInAttempt, tech: TechnicianRecord | null, reason: SignInFailure, detail: string, counts: boolean): Promise<SignInResult> {
  const technicianId = tech?.id ?? null;
  const keys = [`address:${a.address}`, ...(technicianId ? [`technician:${technicianId}`] : [])];
  const result = counts ? d.limiter.fail(keys, d.nowMs) : { locked: false as const };
  // A lockout is recorded once, with how long it lasts; the refused tries inside it are not.
  const data = result.locked ? { reason: 'locked-out' as const, address: a.address, detail: `after ${reason}`, retryInSec: result.retryInSec } : { reason, address: a.address };
  await d.audit.record('technician-sign-in-failed', { technicianId }, data);
  if (result.locked) {
    d.onLockout?.(`address ${a.address}${technicianId ? ` / technician ${technicianId}` : ''} after ${reason}, retry in ${result.retryInSec} s`);
    return lockedOut(result.retryInSec);
  }
  const code: ErrorCode = reason === 'otp-required' || reason === 'mfa-not-enrolled' ? 'mfa-required' : 'unauthorized';
  return { ok: false, code, detail };
}
