// The decision reported to the relay, and the live session a grant opens.
import { newMessageId } from '../../protocol/frame.js';
import type { ApprovalPath } from '../../protocol/approval.js';
import type { ErrorCode } from '../../protocol/error-codes.js';
import type { DecidedBy, Message, Outcome, SessionRequestPayload } from '../../protocol/messages.js';
import { sortScopes, type Scope } from '../../protocol/scopes.js';
import { LiveSession } from '../session/live-session.js';

export interface Decision {
  outcome: Outcome;
  granted: Scope[];
  decidedBy: DecidedBy;
  code?: ErrorCode;
  detail?: string;
  /** Requests backed by a manager approval: who decided, or why the approval applied (approval-when-away.ts). */
  approvalPath?: ApprovalPath;
}

export function decisionMessage(
  p: SessionRequestPayload,
  d: Decision,
  granted: Scope[],
  now: number,
  session: { sessionId: string; minutes: number } | undefined,
): Message<'session.decision'> {
  return {
    v: 1,
    type: 'session.decision',
    id: newMessageId(),
    requestId: p.requestId,
    outcome: d.outcome,
    granted,
    declined: sortScopes(p.scopes.filter((s) => !granted.includes(s))),
    decidedBy: d.decidedBy,
    decidedAt: new Date(now).toISOString(),
    ...(d.code ? { code: d.code } : {}),
    ...(d.detail ? { detail: d.detail } : {}),
    ...(session ? { sessionId: session.sessionId, grantedMinutes: session.minutes } : {}),
    ...(d.approvalPath ? { approvalPath: d.approvalPath } : {}),
  };
}

/** The session a grant opens (not live until the decision is recorded). */
export function grantedSession(
  p: SessionRequestPayload,
  sessionId: string,
  deviceId: string,
  outcome: Outcome,
  granted: Scope[],
  now: number,
  minutes: number,
): LiveSession {
  return new LiveSession({
    sessionId,
    requestId: p.requestId,
    deviceId,
    technician: p.technician,
    ticket: p.ticket,
    mode: p.mode,
    authorisation: authorisationOf(p),
    verificationCode: p.verificationCode,
    outcome,
    granted,
    startedAt: now,
    endsAt: now + minutes * 60_000,
  });
}

function authorisationOf(p: SessionRequestPayload): LiveSession['init']['authorisation'] {
  const a = p.approval;
  if (p.mode === 'attended' || !a) return { kind: 'attended' };
  if (a.kind === 'emergency') return { kind: 'emergency', justification: a.justification, incident: a.incident };
  return { kind: 'unattended', approver: a.token.payload.approver, reference: a.token.payload.reference };
}
