// A mid-session escalation: same signature and freshness rules as a new
// request, plus it must name the live session and come from its technician.
import type { Message, ScopeRequestPayload } from '../../protocol/messages.js';
import type { Scope } from '../../protocol/scopes.js';
import { verifyScopeRequestSignature } from '../../protocol/signed-messages.js';
import { checkFreshness } from './freshness.js';
import { reject, type Rejection } from './rejection.js';
import { allowedFor } from '../policy/scope-policy.js';
import type { VerifyContext, VerifyResult } from './verify-request.js';

export interface VerifiedEscalation {
  payload: ScopeRequestPayload;
  /** Added scopes policy allows and the session doesn't have yet. */
  added: Scope[];
  blocked: Scope[];
}

export interface LiveSessionRef {
  sessionId: string;
  technicianId: string;
  granted: readonly Scope[];
}

export function verifyScopeRequest(
  msg: Message<'session.scope-request'>,
  ctx: VerifyContext,
  live: LiveSessionRef | undefined,
): VerifyResult<VerifiedEscalation> {
  const fail = (rejection: Rejection) => ({ ok: false as const, rejection });
  if (!ctx.policy.relayPublicKey) return fail(reject('bad-signature', 'no relay key is pinned in policy', 'policy'));
  if (!verifyScopeRequestSignature(msg, ctx.policy.relayPublicKey)) {
    return fail(reject('bad-signature', 'the request is not signed by the pinned relay key'));
  }
  const p = msg.payload;
  const stale = checkFreshness(p, ctx.deviceId, ctx.now, ctx.replay);
  if (stale) return fail(stale);
  if (!live || live.sessionId !== p.sessionId) return fail(reject('unknown-session', 'no live session has that id'));
  if (live.technicianId !== p.technician.id) return fail(reject('forbidden', 'only the session technician may ask for more'));
  const wanted = p.scopes.filter((s) => !live.granted.includes(s));
  const { allowed, blocked } = allowedFor(ctx.policy, p.technician.group, wanted);
  if (allowed.length === 0 && p.extendMinutes === undefined) {
    return fail(reject('policy-blocked', 'policy allows none of the added scopes', 'policy'));
  }
  return { ok: true, value: { payload: p, added: allowed, blocked } };
}
