import { describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergePolicy, SAFEST_POLICY, type ManagedPolicy } from '../../../src/core/policy/merge.js';
import { DEFAULT_POLICY, IT_ONLY_TRUST_KEYS, policySchema, USER_SETTABLE_KEYS } from '../../../src/core/policy/schema.js';
import { loadManagedPolicy } from '../../../src/core/policy/sources/managed-source.js';
import { JsonFileSource, LINUX_POLICY_PATH } from '../../../src/core/policy/sources/json-file-source.js';
import { MACOS_POLICY_PATH, PlistSource } from '../../../src/core/policy/sources/plist-source.js';
import { parseRegQuery, RegistrySource, REGISTRY_KEY } from '../../../src/core/policy/sources/registry-source.js';
import { managedPolicySources } from '../../../src/core/policy/sources/platform-sources.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const enoent = async (): Promise<string> => {
  throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
};

describe('policy merge', () => {
  it('uses the defaults when nothing is set', () => {
    expect(mergePolicy({ kind: 'none' })).toEqual({ policy: DEFAULT_POLICY, lockedKeys: [], problems: [] });
  });

  it('lets managed keys override defaults and locks them against the user', () => {
    const r = mergePolicy({ kind: 'valid', values: { promptTimeoutSec: 30, allowedScopes: ['view'] }, origins: ['x'] }, { promptTimeoutSec: 20, allowedScopes: ['view', 'admin'] });
    expect(r.policy.promptTimeoutSec).toBe(30);
    expect(r.policy.allowedScopes).toEqual(['view']);
    expect(r.problems.join('\n')).toMatch(/promptTimeoutSec ignored: locked/);
  });

  it('lets the user only narrow the user-settable keys', () => {
    const r = mergePolicy({ kind: 'none' }, { allowedScopes: ['view', 'control'], maxSessionMinutes: 600, promptTimeoutSec: 30, unattendedAllowed: true });
    expect(r.policy.allowedScopes).toEqual(['view', 'control']);
    expect(r.policy.maxSessionMinutes).toBe(DEFAULT_POLICY.maxSessionMinutes);
    expect(r.policy.promptTimeoutSec).toBe(30);
    expect(r.policy.unattendedAllowed).toBe(false);
    expect(r.problems.join('\n')).toMatch(/unattendedAllowed ignored: only IT/);
  });

  it('never takes the relay or a trust key from user settings, and reports each one', () => {
    const evil = { relayUrl: 'wss://evil.example.com', relayUrls: ['wss://evil-2.example.com'], relayPublicKey: 'A'.repeat(43), relayTlsPin: `${'A'.repeat(43)}=`, approvalsPublicKey: 'B'.repeat(43), allowInsecureRelay: true, accessHooks: { admin: { grant: ['/tmp/evil'], revoke: ['/tmp/evil'], timeoutSec: 5 } }, screenServer: { host: '127.0.0.1' as const, port: 5900, x11vncDisplay: ':0', x11vncPath: '/tmp/evil' }, fileFolder: '/tmp/evil' };
    const managed: ManagedPolicy = { kind: 'valid', values: { emergencyAllowed: true }, origins: ['mdm'] };
    const r = mergePolicy(managed, evil);
    for (const key of IT_ONLY_TRUST_KEYS) {
      expect(r.policy[key]).toEqual(DEFAULT_POLICY[key]);
      expect(r.problems).toContain(`user setting ${key} ignored: only IT can set it`);
    }
    expect(USER_SETTABLE_KEYS.filter((k) => (IT_ONLY_TRUST_KEYS as readonly string[]).includes(k))).toEqual([]);
  });

  it('falls back to the safest settings and reports an invalid managed policy', () => {
    const r = mergePolicy({ kind: 'invalid', origins: ['/etc/porchlight/policy.json'], problems: ['bad'] }, { allowedScopes: ['view'] });
    expect(r.policy).toEqual(SAFEST_POLICY);
    expect(r.policy.allowedScopes).toEqual([]);
    expect(r.problems[0]).toMatch(/managed policy invalid .*safest/);
    expect(policySchema.safeParse(SAFEST_POLICY).success).toBe(true);
  });

  it('ignores invalid user settings as a whole and says so', () => {
    const r = mergePolicy({ kind: 'none' }, { promptTimeoutSec: 'soon' });
    expect(r.policy).toEqual(DEFAULT_POLICY);
    expect(r.problems[0]).toMatch(/user settings ignored/);
  });
});

describe('managed policy sources', () => {
  it('reads the Linux JSON file', async () => {
    const src = new JsonFileSource(LINUX_POLICY_PATH, async (p) => (p === LINUX_POLICY_PATH ? fixture('policy.json') : enoent()));
    const m = await loadManagedPolicy([src]);
    expect(m).toMatchObject({ kind: 'valid', values: { unattendedAllowed: true, promptTimeoutSec: 45, rateLimit: { prompts: 2 } } });
  });

  it('treats a missing file as no managed policy', async () => {
    expect(await loadManagedPolicy([new JsonFileSource(LINUX_POLICY_PATH, enoent)])).toEqual({ kind: 'none' });
  });

  it('treats unparseable JSON, unknown keys and out-of-range values as invalid', async () => {
    for (const text of ['{not json', '{"surprise": true}', '{"retentionDays": 7}']) {
      const m = await loadManagedPolicy([new JsonFileSource(LINUX_POLICY_PATH, async () => text)]);
      expect(m.kind).toBe('invalid');
    }
  });

  it('reads the Windows registry from reg query output', async () => {
    const calls: string[][] = [];
    const src = new RegistrySource(async (args) => {
      calls.push(args);
      return { code: 0, stdout: fixture('reg-query.txt'), stderr: '' };
    });
    const m = await loadManagedPolicy([src]);
    expect(calls[0]).toEqual(['query', REGISTRY_KEY, '/s']);
    expect(m).toEqual({
      kind: 'valid',
      origins: [REGISTRY_KEY],
      values: {
        relayUrl: 'wss://relay.example.com/agent',
        unattendedAllowed: true,
        allowedScopes: ['view', 'control'],
        maxSessionMinutes: 30,
        fileTransfer: { maxBytes: 1048576, blockedExtensions: ['.exe', '.ps1'], requireTicket: false },
        technicianGroups: { helpdesk: ['view', 'control'] },
      },
    });
  });

  it('treats a missing registry key as absent and other reg failures as invalid', async () => {
    const missing = new RegistrySource(async () => ({ code: 1, stdout: '', stderr: 'ERROR: The system was unable to find the specified registry key or value.' }));
    expect(await loadManagedPolicy([missing])).toEqual({ kind: 'none' });
    const denied = new RegistrySource(async () => ({ code: 5, stdout: '', stderr: 'ERROR: Access is denied.' }));
    expect((await loadManagedPolicy([denied])).kind).toBe('invalid');
    expect(parseRegQuery('HKEY_CURRENT_USER\\Other\r\n').ok).toBe(false);
    expect(parseRegQuery(`HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Porchlight\n    x    REG_BINARY    00ff\n`).ok).toBe(false);
  });

  it('lets the registry override the ProgramData file on Windows', async () => {
    const sources = managedPolicySources('win32');
    expect(sources.map((s) => s.name)).toEqual(['C:\\ProgramData\\Porchlight\\policy.json', REGISTRY_KEY]);
    const file = new JsonFileSource('C:\\ProgramData\\Porchlight\\policy.json', async () => '{"maxSessionMinutes": 90, "queueSize": 3}');
    const reg = new RegistrySource(async () => ({ code: 0, stdout: fixture('reg-query.txt'), stderr: '' }));
    const m = await loadManagedPolicy([file, reg]);
    expect(m).toMatchObject({ kind: 'valid', values: { maxSessionMinutes: 30, queueSize: 3 } });
  });

  it('takes the Windows policy.json path from no environment variable (review2 item 3)', () => {
    // A launcher-set %ProgramData% would make a user-writable file count as IT's locked policy.
    vi.stubEnv('ProgramData', 'C:\\Users\\u\\pd');
    vi.stubEnv('PROGRAMDATA', 'C:\\Users\\u\\pd');
    try {
      expect(managedPolicySources('win32')[0]!.name).toBe('C:\\ProgramData\\Porchlight\\policy.json');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('reads the macOS managed preferences plist', async () => {
    expect(managedPolicySources('darwin').map((s) => s.name)).toEqual([MACOS_POLICY_PATH]);
    const src = new PlistSource(MACOS_POLICY_PATH, async () => fixture('managed.plist'));
    const m = await loadManagedPolicy([src]);
    expect(m).toEqual({ kind: 'valid', origins: [MACOS_POLICY_PATH], values: { relayUrl: 'wss://relay.example.com/agent', emergencyAllowed: true, allowedScopes: ['view'], queueSize: 2 } });
  });

  it('reports a broken binary or XML plist as invalid', async () => {
    expect((await loadManagedPolicy([new PlistSource(MACOS_POLICY_PATH, async () => 'bplist00...')])).kind).toBe('invalid');
    expect((await loadManagedPolicy([new PlistSource(MACOS_POLICY_PATH, async () => '<plist><dict><key>a</key>')])).kind).toBe('invalid');
  });

  it('uses /etc/porchlight/policy.json on Linux', () => {
    expect(managedPolicySources('linux').map((s) => s.name)).toEqual([LINUX_POLICY_PATH]);
  });
});

describe('a plain ws:// relay off loopback fails validation, not only at connect time', () => {
  const read = (doc: object) => loadManagedPolicy([new JsonFileSource(LINUX_POLICY_PATH, async () => JSON.stringify(doc))]);

  it('refuses ws:// to another host in a managed document', async () => {
    const managed = await read({ relayUrl: 'ws://relay.example.com:7443' });
    expect(managed.kind).not.toBe('valid');
    expect(JSON.stringify(managed)).toContain('relayUrl: relay URL must use wss:// (ws:// only to a loopback relay)');
  });

  it('accepts wss:// anywhere, ws:// to loopback, and ws:// with allowInsecureRelay in the same document', async () => {
    for (const doc of [{ relayUrl: 'wss://relay.example.com' }, { relayUrl: 'ws://127.0.0.1:7443' }, { relayUrl: 'ws://lab-relay:7443', allowInsecureRelay: true }])
      expect((await read(doc)).kind, JSON.stringify(doc)).toBe('valid');
  });
});
