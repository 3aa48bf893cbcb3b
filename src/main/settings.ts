// User preferences: the few policy keys an end user may set
// (USER_SETTABLE_KEYS), persisted by a SettingsBackend (electron-store in the
// app; a JSON file in tests), validated with zod on every read and write, and
// merged *under* managed policy with the core's mergePolicy. A corrupt or
// invalid store never crashes the agent: bad values fall back to defaults and
// are reported. Managed keys are locked: set() refuses them.
import { mergePolicy, type EffectivePolicy, type ManagedPolicy } from '../core/policy/merge.js';
import { partialPolicySchema, USER_SETTABLE_KEYS, type Policy, type PolicyKey } from '../core/policy/schema.js';

export const userSettingsSchema = partialPolicySchema.pick({
  allowedScopes: true,
  promptTimeoutSec: true,
  maxSessionMinutes: true,
  startAtLogin: true,
});
export type UserSettings = Partial<Pick<Policy, UserSettingKey>>;
export type UserSettingKey = (typeof USER_SETTABLE_KEYS)[number];

export type BackendRead = { ok: true; data: unknown } | { ok: false; detail: string };

/** Where settings live. Implementations never throw from read(); write() may throw (disk full) and is caught here. */
export interface SettingsBackend {
  read(): BackendRead;
  write(data: UserSettings): void;
  /** Move an unreadable store aside and start empty. */
  reset(): void;
}

export function isUserSettingKey(key: string): key is UserSettingKey {
  return (USER_SETTABLE_KEYS as readonly string[]).includes(key);
}

/** Keep every valid user key; drop and report the rest (unknown keys, bad values, non-objects). */
export function parseUserSettings(data: unknown): { settings: UserSettings; problems: string[] } {
  if (data === undefined) return { settings: {}, problems: [] };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { settings: {}, problems: ['settings store is not an object; using defaults'] };
  const settings: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (!isUserSettingKey(key)) {
      problems.push(`setting ${JSON.stringify(key.slice(0, 64))} ignored: not a user setting`);
      continue;
    }
    const one = userSettingsSchema.shape[key].safeParse(value);
    if (one.success && one.data !== undefined) settings[key] = one.data;
    else problems.push(`setting ${key} ignored: invalid value; using the default`);
  }
  return { settings: settings as UserSettings, problems };
}

export type SetResult = { ok: true } | { ok: false; code: 'locked' | 'not-user-setting' | 'invalid' | 'write-failed'; detail: string };

/** One row of the settings UI: the effective value, and whether the user may change it. */
export interface SettingEntry {
  key: UserSettingKey;
  value: unknown;
  /** Set by managed policy (or the whole policy is locked because the managed one is invalid). */
  locked: boolean;
  source: 'managed' | 'user' | 'default';
}

export class Settings {
  private user: UserSettings = {};
  private loadProblems: string[] = [];

  constructor(
    private readonly backend: SettingsBackend,
    private managed: ManagedPolicy,
  ) {
    this.reload();
  }

  /** Re-read the store (after start, or when MDM policy changed). */
  reload(managed: ManagedPolicy = this.managed): void {
    this.managed = managed;
    const r = this.backend.read();
    if (!r.ok) {
      this.loadProblems = [`settings store unreadable (${r.detail}); using defaults`];
      this.user = {};
      try {
        this.backend.reset();
      } catch (err) {
        this.loadProblems.push(`settings store could not be reset: ${(err as Error).message}`);
      }
      return;
    }
    const parsed = parseUserSettings(r.data);
    this.user = parsed.settings;
    this.loadProblems = parsed.problems;
  }

  /** Effective policy: managed over user over defaults, with locked keys and every problem to report. */
  effective(): EffectivePolicy {
    const merged = mergePolicy(this.managed, this.user);
    return { ...merged, problems: [...this.loadProblems, ...merged.problems] };
  }

  userSettings(): UserSettings {
    return { ...this.user };
  }

  /** Managed keys, or every key when the managed policy is invalid (mergePolicy then ignores user settings). */
  isLocked(key: UserSettingKey): boolean {
    return this.isPolicyKeyLocked(key);
  }

  /** The same for any policy key (the settings window shows IT-only keys too). */
  isPolicyKeyLocked(key: PolicyKey): boolean {
    return this.managed.kind === 'invalid' || this.effective().lockedKeys.includes(key);
  }

  entries(): SettingEntry[] {
    const { policy } = this.effective();
    return USER_SETTABLE_KEYS.map((key) => {
      const locked = this.isLocked(key);
      return { key, value: policy[key], locked, source: locked ? 'managed' : key in this.user ? 'user' : 'default' };
    });
  }

  set(key: string, value: unknown): SetResult {
    if (!isUserSettingKey(key)) return { ok: false, code: 'not-user-setting', detail: `${key.slice(0, 64)} can only be set by IT` };
    if (this.isLocked(key)) return { ok: false, code: 'locked', detail: `${key} is managed by your organisation` };
    const parsed = userSettingsSchema.shape[key].safeParse(value);
    if (!parsed.success || parsed.data === undefined) return { ok: false, code: 'invalid', detail: `${key}: invalid value` };
    return this.save({ ...this.user, [key]: parsed.data });
  }

  clear(key: UserSettingKey): SetResult {
    const { [key]: _dropped, ...rest } = this.user;
    return this.save(rest);
  }

  private save(next: UserSettings): SetResult {
    try {
      this.backend.write(next);
    } catch (err) {
      return { ok: false, code: 'write-failed', detail: (err as Error).message };
    }
    this.user = next;
    return { ok: true };
  }
}
