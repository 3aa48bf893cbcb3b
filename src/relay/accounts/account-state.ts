// Whether a technician account may sign in right now, from its record alone
// (disabled by an admin, a temporary account past its end, a token past expiry).
import type { TechnicianRecord } from '../storage/storage.js';

export type AccountState = { ok: true } | { ok: false; reason: 'disabled' | 'expired'; detail: string };

const day = (iso: string) => iso.slice(0, 10);

export function accountState(tech: TechnicianRecord, nowMs: number): AccountState {
  if (tech.disabled) return { ok: false, reason: 'disabled', detail: `technician ${tech.id} is disabled` };
  if (tech.disableAt !== undefined && Date.parse(tech.disableAt) <= nowMs) {
    return { ok: false, reason: 'disabled', detail: `technician ${tech.id} was a temporary account; it ended on ${tech.disableAt}` };
  }
  if (tech.tokenExpiresAt !== undefined && Date.parse(tech.tokenExpiresAt) <= nowMs) {
    return { ok: false, reason: 'expired', detail: `token expired on ${day(tech.tokenExpiresAt)}` };
  }
  return { ok: true };
}

/** Which token a hash is, for this account: the current one, a rotated-out one still in its grace, or neither. */
export function tokenStanding(tech: TechnicianRecord, tokenHash: string, nowMs: number): 'current' | 'grace' | 'rotated' {
  if (tech.tokenHash === tokenHash) return 'current';
  const until = tech.previousTokenUntil;
  return tech.previousTokenHash === tokenHash && until !== undefined && Date.parse(until) > nowMs ? 'grace' : 'rotated';
}
