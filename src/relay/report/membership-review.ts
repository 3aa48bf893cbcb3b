// The monthly membership review (seed 003: "reviewing group membership monthly
// to prevent drift"): every technician with their rights, second factor, token
// and use that month, every account change of the month with who made it, and
// the flags an auditor acts on. An account that differs from what the admin
// trail last recorded was changed outside the CLI (a database edited by hand).
import { technicianView } from '../accounts/admin-trail.js';
import { accountState } from '../accounts/account-state.js';
import { verifyAuditChain, type AuditRecord, type TechnicianView } from '../audit/audit-record.js';
import { adminChange } from '../audit/audit-text.js';
import type { TechnicianRecord } from '../storage/storage.js';
import type { MonthWindow } from './month-window.js';

export const REVIEW_FLAGS = ['unattended-without-mfa', 'token-without-expiry', 'token-over-policy', 'unused-60-days', 'not-added-through-cli', 'changed-outside-cli'] as const;
export type ReviewFlag = (typeof REVIEW_FLAGS)[number];

/** The longest a token should still be valid at the review (the add-technician default). */
export const TOKEN_POLICY_DAYS = 90;
const UNUSED_DAYS = 60;
const DAY_MS = 86_400_000;

export interface ReviewRow {
  id: string;
  name: string;
  group: string;
  scopes: string[];
  unattended: boolean;
  mfa: boolean;
  state: string;
  tokenExpiresAt: string | null;
  lastSignInAt: string | null;
  sessionsThisMonth: number;
  failedSignInsThisMonth: number;
  flags: ReviewFlag[];
}

export interface ReviewChange {
  at: string;
  action: string;
  target: string;
  by: string;
  as: string | null;
  change: string;
}

export interface MembershipReview {
  month: string;
  timeZone: string;
  from: string;
  to: string;
  chain: { ok: true } | { ok: false; seq: number; problem: string };
  technicians: ReviewRow[];
  changes: ReviewChange[];
}

export function computeMembershipReview(technicians: readonly TechnicianRecord[], records: readonly AuditRecord[], window: MonthWindow): MembershipReview {
  const inMonth = (r: AuditRecord) => {
    const at = Date.parse(r.at);
    return at >= window.startMs && at < window.endMs;
  };
  const admin = records.filter((r): r is AuditRecord<'admin'> => r.kind === 'admin');
  const count = (kind: AuditRecord['kind'], id: string) => records.filter((r) => r.kind === kind && r.technicianId === id && inMonth(r)).length;
  const rows = technicians.map((t): ReviewRow => {
    const view = technicianView(t);
    const trail = admin.filter((r) => r.data.target === t.id && r.technicianId === t.id);
    const lastAfter = trail.filter((r) => r.data.after !== undefined).at(-1)?.data.after;
    const state = accountState(t, window.endMs);
    return {
      id: t.id,
      name: t.name,
      group: t.group,
      scopes: t.scopes,
      unattended: t.unattended,
      mfa: view.mfa,
      state: state.ok ? 'active' : state.reason,
      tokenExpiresAt: t.tokenExpiresAt ?? null,
      lastSignInAt: t.lastSignInAt ?? null,
      sessionsThisMonth: count('session-started', t.id),
      failedSignInsThisMonth: count('technician-sign-in-failed', t.id),
      flags: flagsOf(t, view, trail, lastAfter, window.endMs),
    };
  });
  const changes = admin.filter(inMonth).map((r) => ({
    at: r.at,
    action: r.data.action,
    target: r.data.target,
    by: r.data.by,
    as: r.data.as ?? null,
    change: adminChange(r.data.before, r.data.after).replace(/^ \((.*)\)$/, '$1') || (r.data.detail ?? ''),
  }));
  const chain = verifyAuditChain(records);
  return {
    month: window.month,
    timeZone: window.tz,
    from: new Date(window.startMs).toISOString(),
    to: new Date(window.endMs).toISOString(),
    chain: chain.ok ? { ok: true } : { ok: false, seq: chain.seq, problem: chain.problem },
    technicians: rows,
    changes,
  };
}

function flagsOf(t: TechnicianRecord, view: TechnicianView, trail: readonly AuditRecord<'admin'>[], lastAfter: TechnicianView | undefined, atMs: number): ReviewFlag[] {
  const flags: ReviewFlag[] = [];
  const active = accountState(t, atMs).ok;
  if (t.unattended && !view.mfa && active) flags.push('unattended-without-mfa');
  if (t.tokenExpiresAt === undefined) flags.push('token-without-expiry');
  else if (Date.parse(t.tokenExpiresAt) - atMs > TOKEN_POLICY_DAYS * DAY_MS) flags.push('token-over-policy');
  const lastUse = Date.parse(t.lastSignInAt ?? t.createdAt);
  if (active && atMs - lastUse > UNUSED_DAYS * DAY_MS) flags.push('unused-60-days');
  if (!trail.some((r) => r.data.action === 'technician-added')) flags.push('not-added-through-cli');
  else if (lastAfter !== undefined && JSON.stringify(lastAfter) !== JSON.stringify(view)) flags.push('changed-outside-cli');
  return flags;
}
