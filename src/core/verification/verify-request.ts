// Everything a session.request must pass before the user sees it: relay
// signature, device binding, freshness and replay, group and scope policy,
// and for unattended requests an approval token or allowed emergency.
import type { Message, SessionRequestPayload } from '../../protocol/messages.js';
import type { Scope } from '../../protocol/scopes.js';
import { verifySessionRequestSignature } from '../../protocol/signed-messages.js';
import type { Policy } from '../policy/schema.js';
import type { ConsentMode } from '../../shared/view-models.js';
import { checkApprovalToken } from './approval-token.js';
import { checkFreshness } from './freshness.js';
import { reject, type Rejection } from './rejection.js';
import type { ReplayCache } from './replay-cache.js';
import { allowedFor } from './scope-policy.js';

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

export function verifySessionRequest(msg: Message<'session.request'>, ctx: VerifyContext): VerifyResult<VerifiedRequest> {
  const fail = (rejection: Rejection) => ({ ok: false as const, rejection });
  const { policy } = ctx;
  if (!policy.relayPublicKey) return fail(reject('bad-signature', 'no relay key is pinned in policy', 'policy'));
  if (!verifySessionRequestSignature(msg, policy.relayPublicKey)) return fail(reject('bad-signature', 'the request is not signed by the pinned relay key'));
  const p = msg.payload;
  const stale = checkFreshness(p, ctx.deviceId, ctx.now, ctx.replay);
  if (stale) return fail(stale);

  const { allowed, blocked, groupKnown } = allowedFor(policy, p.technician.group, p.scopes);
  if (!groupKnown) return fail(reject('policy-blocked', `technician group ${p.technician.group} may not connect to this device`, 'policy'));
  if (allowed.length === 0) return fail(reject('policy-blocked', 'policy allows none of the requested scopes', 'policy'));

  if (p.mode === 'attended') {
    if (p.approval !== undefined) return fail(reject('bad-frame', 'an attended request carries no approval'));
    return { ok: true, value: { payload: p, allowed, blocked, authorisation: { kind: 'attended' } } };
  }
  if (!policy.unattendedAllowed) return fail(reject('policy-blocked', 'policy does not allow unattended sessions', 'policy'));
  if (!policy.unattendedGroups.includes(p.technician.group)) return fail(reject('policy-blocked', `group ${p.technician.group} may not run unattended sessions`, 'policy'));
  if (blocked.length > 0) return fail(reject('policy-blocked', `policy does not allow ${blocked.join(', ')} unattended`, 'policy'));
  const approval = p.approval;
  if (!approval) return fail(reject('bad-approval', 'an unattended request needs an approval or emergency justification'));
  if (approval.kind === 'emergency') {
    if (!policy.emergencyAllowed) return fail(reject('bad-approval', 'policy does not allow emergency access', 'policy'));
    return { ok: true, value: { payload: p, allowed, blocked, authorisation: { kind: 'emergency', justification: approval.justification, incident: approval.incident } } };
  }
  const bad = checkApprovalToken(approval.token, policy.approvalsPublicKey, { deviceId: ctx.deviceId, technicianId: p.technician.id, ticketId: p.ticket.id, scopes: p.scopes, now: ctx.now });
  if (bad) return fail(bad);
  const { approver, reference } = approval.token.payload;
  return { ok: true, value: { payload: p, allowed, blocked, authorisation: { kind: 'unattended', approver, reference } } };
}
