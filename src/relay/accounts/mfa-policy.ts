// When the relay asks a technician for a second factor (`relay --require-mfa`):
// everyone (`all`), only for unattended and emergency requests (`unattended`,
// the default, seed 003), or never (`off`); `groups` adds groups that always need it.
export const REQUIRE_MFA = ['all', 'unattended', 'off'] as const;
export type RequireMfa = (typeof REQUIRE_MFA)[number];

export interface MfaPolicy {
  require: RequireMfa;
  groups: readonly string[];
}

export const DEFAULT_MFA_POLICY: MfaPolicy = { require: 'unattended', groups: [] };

/** A second factor at sign-in itself. */
export function mfaAtSignIn(policy: MfaPolicy, group: string): boolean {
  return policy.require === 'all' || policy.groups.includes(group);
}

/** A second factor before an unattended or emergency request. */
export function mfaForUnattended(policy: MfaPolicy): boolean {
  return policy.require !== 'off';
}
