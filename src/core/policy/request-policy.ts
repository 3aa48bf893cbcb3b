// What local policy allows a new session request: the technician's group,
// the scopes, unattended mode and emergency access. Signatures, freshness and
// approval tokens are verification's job (src/core/verification).
import type { ErrorCode } from '../../protocol/error-codes.js';
import type { SessionRequestPayload } from '../../protocol/messages.js';
import type { Policy } from './schema.js';
import { allowedFor, type ScopesAllowed } from './scope-policy.js';

/** A policy refusal: always `policy-blocked` or `bad-approval`, decided by policy. */
export interface PolicyRefusal {
  code: Extract<ErrorCode, 'policy-blocked' | 'bad-approval'>;
  detail: string;
}

const refuse = (detail: string, code: PolicyRefusal['code'] = 'policy-blocked'): PolicyRefusal => ({ code, detail });

/** The scopes this group may get, or why the group may not connect at all. */
export function requestScopes(policy: Policy, p: SessionRequestPayload): ScopesAllowed | PolicyRefusal {
  const scopes = allowedFor(policy, p.technician.group, p.scopes);
  if (!scopes.groupKnown) return refuse(`technician group ${p.technician.group} may not connect to this device`);
  if (scopes.allowed.length === 0) return refuse('policy allows none of the requested scopes');
  return scopes;
}

/** Whether this unattended request may run without a person, given the scopes policy removed. */
export function unattendedRefusal(policy: Policy, group: string, blocked: readonly string[]): PolicyRefusal | undefined {
  if (!policy.unattendedAllowed) return refuse('policy does not allow unattended sessions');
  if (!policy.unattendedGroups.includes(group)) return refuse(`group ${group} may not run unattended sessions`);
  if (blocked.length > 0) return refuse(`policy does not allow ${blocked.join(', ')} unattended`);
  return undefined;
}

export function emergencyRefusal(policy: Policy): PolicyRefusal | undefined {
  return policy.emergencyAllowed ? undefined : refuse('policy does not allow emergency access', 'bad-approval');
}

export function isPolicyRefusal(value: ScopesAllowed | PolicyRefusal): value is PolicyRefusal {
  return 'code' in value;
}

/** An attended request without the contact IT requires (seed 000: reach the user before connecting). */
export function contactRefusal(policy: Policy, p: SessionRequestPayload): PolicyRefusal | undefined {
  if (!policy.requireContact || p.mode !== 'attended' || p.contact !== undefined) return undefined;
  return refuse('policy requires the technician to reach you first and say how (porchlight request --contact)');
}
