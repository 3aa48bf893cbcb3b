import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseAgentConfig } from '../../../src/core/headless/agent-config.js';
import { configPolicy } from '../../../src/core/policy/config-policy.js';
import { SAFEST_POLICY } from '../../../src/core/policy/merge.js';
import { DEFAULT_POLICY } from '../../../src/core/policy/schema.js';
import type { ManagedPolicySource } from '../../../src/core/policy/sources/managed-source.js';

const source = (data: unknown): ManagedPolicySource => ({ name: '/etc/porchlight/policy.json', read: async () => ({ kind: 'found', origin: '/etc/porchlight/policy.json', data }) });
const absent: ManagedPolicySource = { name: 'none', read: async () => ({ kind: 'absent' }) };

describe('headless agent config', () => {
  it('parses a config file', () => {
    const r = parseAgentConfig(JSON.stringify({ deviceId: 'srv-1', enrollmentToken: 'A'.repeat(43), policy: { unattendedAllowed: true } }), 'agent.json');
    expect(r).toEqual({ ok: true, config: { deviceId: 'srv-1', enrollmentToken: 'A'.repeat(43), policy: { unattendedAllowed: true } } });
  });

  it('rejects unknown keys, bad values and non-JSON with a typed code', () => {
    expect(parseAgentConfig('{"deviceId":"srv-1","extra":1}', 'a.json')).toMatchObject({ ok: false, code: 'config-invalid' });
    expect(parseAgentConfig('{"deviceId":"srv-1","policy":{"retentionDays":7}}', 'a.json')).toMatchObject({ ok: false, code: 'config-invalid' });
    expect(parseAgentConfig('{nope', 'a.json')).toEqual({ ok: false, code: 'config-invalid', detail: 'a.json is not valid JSON' });
  });

  it('takes relayCaFile only as an absolute path', () => {
    for (const path of ['/etc/porchlight/relay-ca.pem', 'C:\\ProgramData\\Porchlight\\relay-ca.pem', '\\\\srv\\share\\ca.pem']) {
      expect(parseAgentConfig(JSON.stringify({ deviceId: 'srv-1', relayCaFile: path }), 'a.json')).toEqual({ ok: true, config: { deviceId: 'srv-1', relayCaFile: path } });
    }
    for (const bad of ['relay-ca.pem', './ca.pem', '', 42, ['/etc/ca.pem'], '/' + 'a'.repeat(1100)]) {
      expect(parseAgentConfig(JSON.stringify({ deviceId: 'srv-1', relayCaFile: bad }), 'a.json')).toMatchObject({ ok: false, code: 'config-invalid' });
    }
  });

  it('takes a screen server (a policy key) only on loopback, with a port and an optional password file or x11vnc display', () => {
    const parse = (screenServer: unknown) => parseAgentConfig(JSON.stringify({ deviceId: 'srv-1', policy: { screenServer } }), 'a.json');
    expect(parse({ host: '127.0.0.1', port: 5900 })).toMatchObject({ ok: true, config: { policy: { screenServer: { host: '127.0.0.1', port: 5900 } } } });
    expect(parse({ host: '127.0.0.1', port: 5900, x11vncDisplay: ':0', xauthority: '/run/user/1000/gdm/Xauthority' })).toMatchObject({ ok: true });
    expect(parseAgentConfig(JSON.stringify({ deviceId: 'srv-1', screenServer: { host: '127.0.0.1', port: 5900 } }), 'a.json')).toMatchObject({ ok: false });
    expect(parse({ host: '::1', port: 5901, passwordFile: '/etc/porchlight/vnc.pass' })).toMatchObject({ ok: true });
    for (const bad of [{ host: '10.0.0.5', port: 5900 }, { host: 'localhost', port: 5900 }, { host: '0.0.0.0', port: 5900 }, { host: '127.0.0.1', port: 0 }, { host: '127.0.0.1', port: 5900, url: 'vnc://x' }, { host: '127.0.0.1', port: 5900, x11vncDisplay: 'remote:0' }, { host: '127.0.0.1', port: 5900, x11vncDisplay: ':0', passwordFile: '/etc/p' }, { host: '127.0.0.1', port: 5900, x11vncDisplay: ':0', x11vncPath: 'x11vnc' }]) {
      expect(parse(bad)).toMatchObject({ ok: false, code: 'config-invalid' });
    }
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
      const r = parseAgentConfig(text, 'x');
      expect(typeof r.ok).toBe('boolean');
    }), { numRuns: 300, seed: 4 });
  });
});

describe('headless agent config: cross-key checks', () => {
  it('refuses a ws:// relay to another host unless the policy sets allowInsecureRelay', () => {
    const config = (policy: object) => JSON.stringify({ deviceId: 'srv-1', policy });
    expect(parseAgentConfig(config({ relayUrl: 'ws://relay.example.com:7443' }), 'agent.json')).toEqual({
      ok: false,
      code: 'config-invalid',
      detail: 'agent.json: policy.relayUrl: relay URL must use wss:// (ws:// only to a loopback relay); set allowInsecureRelay: true only for development',
    });
    expect(parseAgentConfig(config({ relayUrl: 'ws://relay.example.com:7443', allowInsecureRelay: true }), 'agent.json').ok).toBe(true);
  });
});

describe('headless effective policy: defaults < config < managed', () => {
  it('takes config keys over the defaults', async () => {
    const r = await configPolicy([absent], { unattendedAllowed: true, unattendedGroups: ['ops'] }, 'agent.json');
    expect(r.policy).toEqual({ ...DEFAULT_POLICY, unattendedAllowed: true, unattendedGroups: ['ops'] });
    expect(r.managedOrigins).toEqual([]);
  });

  it('lets managed policy win over the config (the config cannot weaken a managed key)', async () => {
    const r = await configPolicy([source({ unattendedAllowed: false, allowedScopes: ['view'] })], { unattendedAllowed: true, allowedScopes: ['view', 'admin'], promptTimeoutSec: 30 }, 'agent.json');
    expect(r.policy.unattendedAllowed).toBe(false);
    expect(r.policy.allowedScopes).toEqual(['view']);
    expect(r.policy.promptTimeoutSec).toBe(30);
    expect(r.managedOrigins).toEqual(['/etc/porchlight/policy.json']);
  });

  it('falls back to the safest settings when the managed policy is invalid, whatever the config says', async () => {
    const r = await configPolicy([source({ unattendedAllowed: 'yes' })], { unattendedAllowed: true }, 'agent.json');
    expect(r.policy).toEqual(SAFEST_POLICY);
    expect(r.problems.join('\n')).toMatch(/managed policy invalid/);
  });
});
