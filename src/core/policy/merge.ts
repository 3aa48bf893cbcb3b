// Effective policy = defaults < user settings < managed policy.
// The user may only set USER_SETTABLE_KEYS and only to narrow (fewer scopes,
// shorter timeouts); the relay and the keys the agent trusts are IT's only.
// Managed keys are locked. An invalid managed policy locks the agent to
// SAFEST_POLICY and is reported, never silently ignored.
import { crossKeyProblem, DEFAULT_POLICY, partialPolicySchema, USER_SETTABLE_KEYS, type PartialPolicy, type Policy, type PolicyKey } from './schema.js';
import { describeIssues } from '../../protocol/frame.js';

/** What the agent falls back to when the managed policy can't be trusted: nothing can be granted. */
export const SAFEST_POLICY: Policy = {
  ...DEFAULT_POLICY,
  allowedScopes: [],
  unattendedAllowed: false,
  unattendedGroups: [],
  emergencyAllowed: false,
  promptTimeoutSec: 15,
  maxSessionMinutes: 1,
  queueSize: 1,
  rateLimit: { prompts: 1, windowMinutes: 60, autoDeclineAfterDeclines: 1 },
  fileTransfer: { ...DEFAULT_POLICY.fileTransfer, maxBytes: 0, requireTicket: true },
  allowInsecureRelay: false,
};

export type ManagedPolicy = { kind: 'none' } | { kind: 'valid'; values: PartialPolicy; origins: string[] } | { kind: 'invalid'; origins: string[]; problems: string[] };

export interface EffectivePolicy {
  policy: Policy;
  /** Keys the user can't change (all of them when managed policy is invalid). */
  lockedKeys: PolicyKey[];
  /** Problems to report (invalid managed policy, rejected user settings). */
  problems: string[];
}

export function mergePolicy(managed: ManagedPolicy, userSettings: unknown = {}): EffectivePolicy {
  const problems: string[] = [];
  if (managed.kind === 'invalid') {
    problems.push(...managed.problems.map((p) => `managed policy invalid (${managed.origins.join(', ')}): ${p}; using the safest settings`));
    return { policy: SAFEST_POLICY, lockedKeys: Object.keys(SAFEST_POLICY) as PolicyKey[], problems };
  }
  const managedValues = managed.kind === 'valid' ? managed.values : {};
  const lockedKeys = Object.keys(managedValues) as PolicyKey[];
  const base: Policy = { ...DEFAULT_POLICY, ...(managedValues as Partial<Policy>) };
  const user = partialPolicySchema.safeParse(userSettings);
  if (!user.success) {
    problems.push(`user settings ignored: ${describeIssues('settings', user.error)}`);
    return { policy: base, lockedKeys, problems };
  }
  const policy = { ...base };
  for (const [key, value] of Object.entries(user.data) as [PolicyKey, unknown][]) {
    if (value === undefined) continue;
    if (!(USER_SETTABLE_KEYS as readonly string[]).includes(key)) {
      problems.push(`user setting ${key} ignored: only IT can set it`);
    } else if (lockedKeys.includes(key)) {
      problems.push(`user setting ${key} ignored: locked by managed policy`);
    } else {
      narrow(policy, key, value);
    }
  }
  return { policy, lockedKeys, problems };
}

/** Apply a user value so it can only make the agent stricter. */
function narrow(policy: Policy, key: PolicyKey, value: unknown): void {
  switch (key) {
    case 'allowedScopes':
      policy.allowedScopes = policy.allowedScopes.filter((s) => (value as string[]).includes(s));
      break;
    case 'promptTimeoutSec':
    case 'maxSessionMinutes':
      policy[key] = Math.min(policy[key], value as number);
      break;
    case 'startAtLogin':
      (policy as Record<string, unknown>)[key] = value;
      break;
    default:
      break;
  }
}

/** Validate one source's raw data; unknown keys and bad values make the whole document invalid. */
export function parseManagedDocument(data: unknown): { ok: true; values: PartialPolicy } | { ok: false; problem: string } {
  const parsed = partialPolicySchema.safeParse(data);
  if (!parsed.success) return { ok: false, problem: describeIssues('policy', parsed.error) };
  const problem = crossKeyProblem(parsed.data);
  return problem === undefined ? { ok: true, values: parsed.data } : { ok: false, problem: `policy: ${problem}` };
}
