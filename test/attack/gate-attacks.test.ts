// Attack suite, access gates: a hostile relay or user tries to choose what the
// agent runs on grant and revoke. Only IT policy names hooks; each test fails
// if the defence it names is removed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mergePolicy, parseManagedDocument, SAFEST_POLICY } from '../../src/core/policy/merge.js';
import type { SessionRequestPayload } from '../../src/protocol/index.js';
import { startHarness, type Harness } from '../core/agent-harness.js';
import { hookDir, type HookDir } from '../core/access/hook-scripts.js';

let h: Harness | undefined;
let hooks: HookDir | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
  hooks?.remove();
  hooks = undefined;
});

describe.skipIf(process.platform === 'win32')('attacks on the access gates', () => {
  it('a hook path sent by the relay is refused before the user sees anything, and never runs (strict request schema, gates from policy only)', async () => {
    hooks = hookDir();
    const evil = hooks.script('evil.sh', `touch '${join(hooks.dir, 'PWNED')}'`);
    const admin = { grant: [hooks.script('add.sh')], revoke: [hooks.script('remove.sh')], timeoutSec: 5 };
    h = await startHarness({ policy: { accessHooks: { admin } } });
    const hostile = { ...h.request({ scopes: ['admin'] }), accessHooks: { admin: { grant: [evil], revoke: [evil], timeoutSec: 5 } } };
    h.relay.sendRequest(hostile as SessionRequestPayload);
    const reply = await h.relay.waitFor('error');
    await h.agent.idle();
    expect(reply.code).toBe('bad-frame');
    expect(h.ui.prompts).toHaveLength(0);
    expect(existsSync(join(hooks.dir, 'PWNED'))).toBe(false);
    expect(hooks.runs()).toEqual([]);
  });

  it('a managed policy whose hook is a relative path is refused as a whole: the agent locks to the safest settings', () => {
    const doc = { accessHooks: { admin: { grant: ['hooks/add.sh'], revoke: ['/usr/local/bin/remove'], timeoutSec: 5 } } };
    const parsed = parseManagedDocument(doc);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problem).toMatch(/absolute path of the executable/);
    const merged = mergePolicy({ kind: 'invalid', origins: ['/etc/porchlight/policy.json'], problems: [String(!parsed.ok && parsed.problem)] });
    expect(merged.policy).toEqual(SAFEST_POLICY);
    expect(merged.policy.accessHooks).toBeUndefined();
  });

  it('a hook argument with a NUL byte is refused (it would cut the argument short)', () => {
    const doc = { accessHooks: { admin: { grant: ['/usr/local/bin/add', 'user\0--all'], revoke: ['/usr/local/bin/remove'], timeoutSec: 5 } } };
    expect(parseManagedDocument(doc).ok).toBe(false);
  });

  it('a user (or a process running as the user) cannot add or change hooks through user settings', () => {
    const mine = { accessHooks: { admin: { grant: ['/home/me/evil'], revoke: ['/home/me/evil'], timeoutSec: 5 } } };
    const managedHook = { grant: ['/usr/local/bin/add'], revoke: ['/usr/local/bin/remove'], timeoutSec: 5 };
    const r = mergePolicy({ kind: 'valid', values: { accessHooks: { admin: managedHook } }, origins: ['mdm'] }, mine);
    expect(r.policy.accessHooks).toEqual({ admin: managedHook });
    expect(r.problems).toContain('user setting accessHooks ignored: only IT can set it');
  });
});
