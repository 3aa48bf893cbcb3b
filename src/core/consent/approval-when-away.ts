// Seed 000: a manager approval is for when the user is "unavailable, unresponsive,
// or unable to grant permission". So a request backed by one is first a normal
// prompt to a present user; the approval applies only when nobody answers in
// time, nobody can (headless), or the platform says the screen is locked. A user
// who declines is never overridden: the technician reads "declined by user
// (approval not used)".
import type { ApprovalPath, ApprovalToken } from '../../protocol/approval.js';
import type { Scope } from '../../protocol/scopes.js';
import type { HonouredApprovals } from '../verification/honoured-approvals.js';
import { HonouredApprovalsWriteError } from '../verification/honoured-approvals.js';
import type { AskResult } from './ask-user.js';
import type { Decision } from './decision-message.js';

/** Where the platform tells us the user can't be at the screen (Electron: powerMonitor); absent: it never says. */
export interface ScreenLockSensor {
  screenLocked(): boolean;
}

export const APPROVAL_NOT_USED = 'declined by user (approval not used)';

/** Why nobody can be asked, or undefined when a user may be at the screen. */
export function awayReason(
  presence: 'interactive' | 'headless',
  lock: ScreenLockSensor | undefined,
): 'headless' | 'screen-locked' | undefined {
  if (presence === 'headless') return 'headless';
  return lock?.screenLocked() === true ? 'screen-locked' : undefined;
}

/** The prompt's answer, for a request a manager approved: the user decides; only silence lets the approval apply. */
export function decisionFromPrompt(result: AskResult, requested: readonly Scope[]): Decision | 'apply-approval' {
  if (result.kind === 'answer' && result.granted.length > 0) {
    const outcome = result.granted.length === requested.length ? 'accepted' : 'partial';
    return { outcome, granted: result.granted, decidedBy: 'user', approvalPath: 'user-accepted' };
  }
  const declined = (decidedBy: Decision['decidedBy']): Decision => ({
    outcome: 'declined',
    granted: [],
    decidedBy,
    code: 'approval-not-used',
    detail: APPROVAL_NOT_USED,
    approvalPath: 'user-declined',
  });
  if (result.kind === 'answer') return declined('user');
  switch (result.decidedBy) {
    case 'timeout':
      return 'apply-approval';
    case 'escape':
    case 'dialog-closed':
      return declined(result.decidedBy);
    default:
      return { outcome: 'declined', granted: [], decidedBy: result.decidedBy, approvalPath: 'interrupted' };
  }
}

/** Count the use and grant what policy allows, or refuse: used up, distrusted, or the count can't be written. */
export function applyApproval(
  honoured: HonouredApprovals,
  token: ApprovalToken,
  allowed: Scope[],
  path: Extract<ApprovalPath, 'no-answer' | 'headless' | 'screen-locked'>,
): Decision {
  try {
    const verdict = honoured.honour(token);
    if (verdict.ok) return { outcome: 'accepted', granted: allowed, decidedBy: 'approval', approvalPath: path };
    return { ...usedUp(verdict.reason, verdict.used, verdict.of), approvalPath: path };
  } catch (err) {
    if (!(err instanceof HonouredApprovalsWriteError)) throw err;
    const detail = err.message.slice(0, 300);
    return { outcome: 'declined', granted: [], decidedBy: 'policy', code: 'internal', detail, approvalPath: path };
  }
}

/** Refused before anyone is asked: this device already honoured the approval as often as it allows. */
export function refuseIfUsedUp(honoured: HonouredApprovals, token: ApprovalToken): Decision | undefined {
  const verdict = honoured.check(token);
  return verdict.ok ? undefined : usedUp(verdict.reason, verdict.used, verdict.of);
}

function usedUp(reason: 'used-up' | 'distrusted' | 'full', used: number, of: number): Decision {
  const detail =
    reason === 'used-up'
      ? `this device already honoured the approval ${used} of ${of} time(s)`
      : reason === 'distrusted'
        ? 'the record of honoured approvals was damaged, so approvals issued before then are refused'
        : 'this device remembers too many approvals to take another';
  return { outcome: 'blocked', granted: [], decidedBy: 'verification', code: 'approval-used-up', detail };
}
