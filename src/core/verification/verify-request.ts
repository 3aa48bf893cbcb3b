// Everything a session.request must pass before the user sees it: relay
// signature, device binding, freshness and replay, then local policy
// (src/core/policy), and for unattended requests an approval token.
import type { Message, SessionRequestPayload } from '../../protocol/messages.js';
import type { Scope } from '../../protocol/scopes.js';
import { verifySessionRequestSignature } from '../../protocol/signed-messages.js';
import { contactRefusal, emergencyRefusal, isPolicyRefusal, requestScopes, unattendedRefusal } from '../policy/request-policy.js';
import type { Policy } from '../policy/schema.js';
import type { ConsentMode } from '../../shared/view-models.js';
import { checkApprovalToken } from './approval-token.js';
import { checkFreshness } from './freshness.js';
import { reject, type Rejection } from './rejection.js';
import type { ReplayCache } from './replay-cache.js';

export interface VerifiedRequest {
  payload: SessionRequestPayload;
  /** Requested scopes policy allows (what can be granted at most). */
  allowed: Scope[];
  /** Requested scopes policy removed. */
  blocked: Scope[];
  authorisation: ConsentMode;
}

export interface VerifyContext {
  policy: Policy;
  deviceId: string;
  now: number;
  replay: ReplayCache;
}

export type VerifyResult<T> = { ok: true; value: T } | { ok: false; rejection: Rejection };

const fail = (rejection: Rejection) => ({ ok: false as const, rejection });
const byPolicy = (r: { code: Rejection['code']; detail: string }) => fail(reject(r.code, r.detail, 'policy'));

export function verifySessionRequest(msg: Message<'session.request'>, ctx: VerifyContext): VerifyResult<VerifiedRequest> {
  const { policy } = ctx;
  if (!policy.relayPublicKey) return fail(reject('bad-signature', 'no relay key is pinned in policy', 'policy'));
  if (!verifySessionRequestSignature(msg, policy.relayPublicKey)) {
    return fail(reject('bad-signature', 'the request is not signed by the pinned relay key'));
  }
  const p = msg.payload;
  const stale = checkFreshness(p, ctx.deviceId, ctx.now, ctx.replay);
  if (stale) return fail(stale);

  const scopes = requestScopes(policy, p);
  if (isPolicyRefusal(scopes)) return byPolicy(scopes);
  const { allowed, blocked } = scopes;
  const verified = (authorisation: ConsentMode) => ({ ok: true as const, value: { payload: p, allowed, blocked, authorisation } });

  if (p.mode === 'attended') {
    if (p.approval !== undefined) return fail(reject('bad-frame', 'an attended request carries no approval'));
    const noContact = contactRefusal(policy, p);
    if (noContact) return byPolicy(noContact);
    return verified({ kind: 'attended' });
  }
  const unattended = unattendedRefusal(policy, p.technician.group, blocked);
  if (unattended) return byPolicy(unattended);
  const approval = p.approval;
  if (!approval) return fail(reject('bad-approval', 'an unattended request needs an approval or emergency justification'));
  if (approval.kind === 'emergency') {
    const emergency = emergencyRefusal(policy);
    if (emergency) return byPolicy(emergency);
    return verified({ kind: 'emergency', justification: approval.justification, incident: approval.incident });
  }
  const binding = { deviceId: ctx.deviceId, technicianId: p.technician.id, ticketId: p.ticket.id, scopes: p.scopes, now: ctx.now };
  const bad = checkApprovalToken(approval.token, policy.approvalsPublicKey, binding);
  if (bad) return fail(bad);
  const { approver, reference } = approval.token.payload;
  return verified({ kind: 'unattended', approver, reference });
}
