// `porchlight relay --require-mfa all|unattended|off [--require-mfa-groups G,H]` (docs/relay.md "Accounts and MFA").
import { slug } from '../protocol/primitives.js';
import { DEFAULT_MFA_POLICY, REQUIRE_MFA, type MfaPolicy, type RequireMfa } from '../relay/accounts/mfa-policy.js';
import { UsageError } from './command.js';

export const RELAY_MFA_OPTIONS = {
  'require-mfa': { type: 'string' },
  'require-mfa-groups': { type: 'string' },
} as const;

export const RELAY_MFA_HELP = `  --require-mfa     when technicians need a one-time code: all (every sign-in), unattended
                    (unattended and emergency requests; the default), off
  --require-mfa-groups
                    comma list of groups that always need a code at sign-in`;

export function parseRelayMfaFlags(values: { 'require-mfa'?: string; 'require-mfa-groups'?: string }): MfaPolicy {
  const require = values['require-mfa'] ?? DEFAULT_MFA_POLICY.require;
  if (!(REQUIRE_MFA as readonly string[]).includes(require)) throw new UsageError(`--require-mfa must be one of ${REQUIRE_MFA.join(', ')}`);
  const groups = (values['require-mfa-groups'] ?? '').split(',').map((g) => g.trim()).filter(Boolean);
  const bad = groups.find((g) => !slug.safeParse(g).success);
  if (bad !== undefined) throw new UsageError(`--require-mfa-groups: '${bad}' is not a group name`);
  return { require: require as RequireMfa, groups };
}
