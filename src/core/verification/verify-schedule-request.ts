// Everything a schedule.request (issue 20) must pass before the user sees it:
// the relay's signature, device binding, freshness and replay as for a session
// request, then local policy: the technician's group and scopes, agreed
// windows allowed at all, the window no longer than IT's cap and not over.
import type { Message, ScheduleRequestPayload } from '../../protocol/messages.js';
import type { Scope } from '../../protocol/scopes.js';
import { verifyScheduleRequestSignature } from '../../protocol/signed-messages.js';
import { allowedFor } from '../policy/scope-policy.js';
import { checkFreshness } from './freshness.js';
import { reject } from './rejection.js';
import type { VerifyContext, VerifyResult } from './verify-request.js';

export interface VerifiedSchedule {
  payload: ScheduleRequestPayload;
  allowed: Scope[];
  blocked: Scope[];
}

const fail = (code: Parameters<typeof reject>[0], detail: string, by: 'verification' | 'policy' = 'verification') => ({ ok: false as const, rejection: reject(code, detail, by) });

/** Hours as the user and IT read them: 2 h, 1.5 h. */
const hours = (ms: number) => `${Math.round(ms / 360_000) / 10} h`;

export function verifyScheduleRequest(msg: Message<'schedule.request'>, ctx: VerifyContext): VerifyResult<VerifiedSchedule> {
  const { policy } = ctx;
  if (!policy.relayPublicKey) return fail('bad-signature', 'no relay key is pinned in policy', 'policy');
  if (!verifyScheduleRequestSignature(msg, policy.relayPublicKey)) return fail('bad-signature', 'the request is not signed by the pinned relay key');
  const p = msg.payload;
  const stale = checkFreshness(p, ctx.deviceId, ctx.now, ctx.replay);
  if (stale) return { ok: false, rejection: stale };
  if (policy.maxAgreedWindowHours === 0) return fail('policy-blocked', 'policy does not allow agreeing to a window in advance', 'policy');
  const length = Date.parse(p.endsAt) - Date.parse(p.startsAt);
  if (length <= 0) return fail('bad-frame', 'the window ends before it starts');
  if (length > policy.maxAgreedWindowHours * 3_600_000) {
    return fail('policy-blocked', `the window is ${hours(length)} long; IT allows at most ${policy.maxAgreedWindowHours} h`, 'policy');
  }
  if (Date.parse(p.endsAt) <= ctx.now) return fail('policy-blocked', 'the window is already over', 'policy');
  const scopes = allowedFor(policy, p.technician.group, p.scopes);
  if (!scopes.groupKnown) return fail('policy-blocked', `technician group ${p.technician.group} may not connect to this device`, 'policy');
  if (scopes.allowed.length === 0) return fail('policy-blocked', 'policy allows none of the requested scopes', 'policy');
  return { ok: true, value: { payload: p, allowed: scopes.allowed, blocked: scopes.blocked } };
}
