// Which requested scopes local policy allows for this technician's group.
import type { Policy } from './schema.js';
import { sortScopes, type Scope } from '../../protocol/scopes.js';

export interface ScopesAllowed {
  allowed: Scope[];
  blocked: Scope[];
  groupKnown: boolean;
}

export function allowedFor(policy: Policy, group: string, requested: readonly Scope[]): ScopesAllowed {
  const groupScopes = policy.technicianGroups ? policy.technicianGroups[group] : undefined;
  const groupKnown = !policy.technicianGroups || groupScopes !== undefined;
  const ok = (s: Scope) =>
    policy.allowedScopes.includes(s) && (groupScopes === undefined ? groupKnown : groupScopes.includes(s));
  return { allowed: sortScopes(requested.filter(ok)), blocked: sortScopes(requested.filter((s) => !ok(s))), groupKnown };
}
