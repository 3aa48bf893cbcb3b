// What the consent dialog shows, built only from verified data.
import { randomInt } from 'node:crypto';
import type { ScopeRequestPayload } from '../../protocol/messages.js';
import type { Scope } from '../../protocol/scopes.js';
import { CONFIRM_CODE_LENGTH, type ConsentView } from '../../shared/view-models.js';
import type { VerifiedRequest } from '../verification/verify-request.js';
import type { LiveSession } from '../session/live-session.js';
import type { Policy } from '../policy/schema.js';

/** IT's own wording from policy, as the dialog shows it; absent when IT set none. */
export function itWordingOf(
  policy: Pick<Policy, 'itDisplayName' | 'itConsentLine' | 'itSupportPhone'>,
): ConsentView['itWording'] {
  const wording = {
    ...(policy.itDisplayName !== undefined ? { displayName: policy.itDisplayName } : {}),
    ...(policy.itConsentLine !== undefined ? { customLine: policy.itConsentLine } : {}),
    ...(policy.itSupportPhone !== undefined ? { supportPhone: policy.itSupportPhone } : {}),
  };
  return Object.keys(wording).length > 0 ? wording : undefined;
}

export function sessionConsentView(
  v: VerifiedRequest,
  expiresAt: number,
  queued: number,
  wording?: ConsentView['itWording'],
  contactRequired = false,
): ConsentView {
  const p = v.payload;
  return {
    ...(wording ? { itWording: wording } : {}),
    ...(p.contact ? { contact: p.contact } : {}),
    ...(contactRequired && p.mode === 'attended' ? { contactRequired: true } : {}),
    // A manager approval asks a present user first: the dialog says the approval applies only if nobody answers.
    ...(v.authorisation.kind === 'unattended' ? { approvalIfNoAnswer: true } : {}),
    promptId: p.requestId,
    kind: 'session',
    technician: p.technician,
    ticket: p.ticket,
    reason: p.reason,
    scopes: v.allowed as ConsentView['scopes'],
    blockedScopes: v.blocked,
    mode: v.authorisation,
    estimatedMinutes: p.estimatedMinutes,
    verificationCode: p.verificationCode,
    expiresAt: new Date(expiresAt).toISOString(),
    queued: Math.min(queued, 100),
  };
}

/** Scopes that let the technician's remote tool press keys and click as the user. */
export const INPUT_SCOPES: readonly Scope[] = ['control', 'admin'];

/** Random digits, new for every prompt. */
export function newConfirmCode(): string {
  return String(randomInt(0, 10 ** CONFIRM_CODE_LENGTH)).padStart(CONFIRM_CODE_LENGTH, '0');
}

export function escalationConsentView(
  p: ScopeRequestPayload,
  added: Scope[],
  blocked: Scope[],
  session: LiveSession,
  expiresAt: number,
  queued: number,
  confirmCode: () => string = newConfirmCode,
  wording?: ConsentView['itWording'],
): ConsentView {
  // Extension only: the dialog lists the scopes the extension keeps alive.
  const scopes = (added.length > 0 ? added : session.grantedScopes()) as ConsentView['scopes'];
  // The technician can inject clicks into a dialog hidden from their view: make the user type what only they can see.
  const needsCode = INPUT_SCOPES.some((s) => session.granted.has(s));
  return {
    ...(wording ? { itWording: wording } : {}),
    promptId: p.requestId,
    kind: 'escalation',
    technician: session.init.technician,
    ticket: session.init.ticket,
    reason: p.reason,
    scopes,
    blockedScopes: blocked,
    grantedScopes: session.grantedScopes(),
    mode: session.init.authorisation,
    estimatedMinutes: Math.min(24 * 60, Math.max(1, Math.round((session.endsAt - session.init.startedAt) / 60_000))),
    ...(p.extendMinutes !== undefined ? { extendMinutes: p.extendMinutes } : {}),
    sessionId: session.id,
    verificationCode: session.init.verificationCode,
    ...(needsCode ? { confirmCode: confirmCode() } : {}),
    expiresAt: new Date(expiresAt).toISOString(),
    queued: Math.min(queued, 100),
  };
}
