import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ManagedPolicy } from '../../src/core/policy/merge.js';
import { DEFAULT_POLICY, policySchema } from '../../src/core/policy/schema.js';
import { Settings } from '../../src/main/settings.js';
import { jsonFileBackend } from './json-file-settings.js';

const none: ManagedPolicy = { kind: 'none' };
const managedTimeout: ManagedPolicy = { kind: 'valid', values: { promptTimeoutSec: 45, allowQuit: false }, origins: ['/etc/porchlight/policy.json'] };

function store(content?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'pl-settings-'));
  const path = join(dir, 'settings.json');
  if (content !== undefined) writeFileSync(path, content);
  return { path, backend: jsonFileBackend(path) };
}

describe('settings', () => {
  it('starts from defaults with an empty store: nothing locked, nothing to report', () => {
    const s = new Settings(store().backend, none);
    expect(s.effective()).toEqual({ policy: DEFAULT_POLICY, lockedKeys: [], problems: [] });
    expect(s.entries().every((e) => !e.locked && e.source === 'default')).toBe(true);
  });

  it('persists a user preference that narrows policy and reads it back', () => {
    const { path, backend } = store();
    expect(new Settings(backend, none).set('promptTimeoutSec', 30)).toEqual({ ok: true });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ promptTimeoutSec: 30 });
    const again = new Settings(jsonFileBackend(path), none);
    expect(again.effective().policy.promptTimeoutSec).toBe(30);
    expect(again.entries().find((e) => e.key === 'promptTimeoutSec')).toEqual({ key: 'promptTimeoutSec', value: 30, locked: false, source: 'user' });
  });

  it('a user value can only narrow: a longer timeout than the default does not widen it', () => {
    const s = new Settings(store(JSON.stringify({ promptTimeoutSec: 600 })).backend, none);
    expect(s.effective().policy.promptTimeoutSec).toBe(DEFAULT_POLICY.promptTimeoutSec);
  });

  it('a corrupt store falls back to defaults, reports it, moves the file aside, and stays usable', () => {
    const { path, backend } = store('{"promptTimeoutSec": 3');
    const s = new Settings(backend, none);
    expect(s.effective().policy).toEqual(DEFAULT_POLICY);
    expect(s.effective().problems).toEqual([expect.stringMatching(/^settings store unreadable .*; using defaults$/)]);
    expect(existsSync(`${path}.corrupt`)).toBe(true);
    expect(s.set('startAtLogin', false)).toEqual({ ok: true });
    expect(new Settings(jsonFileBackend(path), none).effective().policy.startAtLogin).toBe(false);
  });

  it('drops invalid values and unknown keys one by one and keeps the valid ones', () => {
    const s = new Settings(store(JSON.stringify({ promptTimeoutSec: 'soon', allowQuit: false, startAtLogin: false, relayUrl: 'http://x', __proto__: 1 })).backend, none);
    const e = s.effective();
    expect(e.policy.startAtLogin).toBe(false);
    expect(e.policy.allowQuit).toBe(true);
    expect(e.policy.promptTimeoutSec).toBe(DEFAULT_POLICY.promptTimeoutSec);
    expect(e.problems).toEqual([
      'setting promptTimeoutSec ignored: invalid value; using the default',
      'setting "allowQuit" ignored: not a user setting',
      'setting "relayUrl" ignored: not a user setting',
    ]);
  });

  it('a store that is not an object is reported, not trusted', () => {
    expect(new Settings(store('[1,2]').backend, none).effective().problems).toEqual(['settings store is not an object; using defaults']);
  });

  it('managed keys win, are shown locked, and cannot be set', () => {
    const { path, backend } = store(JSON.stringify({ promptTimeoutSec: 20 }));
    const s = new Settings(backend, managedTimeout);
    expect(s.effective().policy.promptTimeoutSec).toBe(45);
    expect(s.effective().policy.allowQuit).toBe(false);
    expect(s.effective().problems).toContain('user setting promptTimeoutSec ignored: locked by managed policy');
    expect(s.entries().find((e) => e.key === 'promptTimeoutSec')).toEqual({ key: 'promptTimeoutSec', value: 45, locked: true, source: 'managed' });
    expect(s.set('promptTimeoutSec', 15)).toMatchObject({ ok: false, code: 'locked' });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ promptTimeoutSec: 20 });
  });

  it('an invalid managed policy locks everything to the safest settings', () => {
    const s = new Settings(store().backend, { kind: 'invalid', origins: ['HKLM'], problems: ['bad'] });
    expect(s.entries().every((e) => e.locked)).toBe(true);
    expect(s.effective().policy.allowedScopes).toEqual([]);
    expect(s.set('startAtLogin', false)).toMatchObject({ ok: false, code: 'locked' });
  });

  it('refuses keys only IT can set and invalid values', () => {
    const s = new Settings(store().backend, none);
    expect(s.set('allowQuit', false)).toMatchObject({ ok: false, code: 'not-user-setting' });
    expect(s.set('unattendedAllowed', true)).toMatchObject({ ok: false, code: 'not-user-setting' });
    expect(s.set('promptTimeoutSec', 5)).toMatchObject({ ok: false, code: 'invalid' });
    expect(s.set('allowedScopes', ['root'])).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('a failed write reports and leaves the settings as they were', () => {
    const { backend } = store();
    const s = new Settings({ ...backend, write: () => { throw new Error('ENOSPC: no space left on device'); } }, none);
    expect(s.set('startAtLogin', false)).toEqual({ ok: false, code: 'write-failed', detail: 'ENOSPC: no space left on device' });
    expect(s.effective().policy.startAtLogin).toBe(true);
  });

  it('whatever the store holds, loading never throws and the effective policy is valid (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom('relayUrl', 'promptTimeoutSec', 'allowedScopes', 'startAtLogin', 'maxSessionMinutes', 'x'), fc.jsonValue())), (data) => {
        const s = new Settings({ read: () => ({ ok: true, data }), write: () => undefined, reset: () => undefined }, none);
        expect(policySchema.safeParse(s.effective().policy).success).toBe(true);
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});
