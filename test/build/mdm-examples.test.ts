// The macOS profile and the Linux policy file in build/mdm are valid policy,
// read through the same sources the agent uses; the JSON Schema is generated
// from the zod schema, up to date, and agrees with it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { build as buildPlist, parse as parsePlist, type PlistValue } from 'plist';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import { JsonFileSource, LINUX_POLICY_PATH } from '../../src/core/policy/sources/json-file-source.js';
import { loadManagedPolicy } from '../../src/core/policy/sources/managed-source.js';
import { BUNDLE_ID, MACOS_POLICY_PATH, PlistSource } from '../../src/core/policy/sources/plist-source.js';

const root = new URL('../..', import.meta.url).pathname;
const text = (path: string) => readFileSync(join(root, path), 'utf8');
type Dict = Record<string, unknown>;
const PAYLOAD_KEYS = ['PayloadType', 'PayloadIdentifier', 'PayloadUUID', 'PayloadVersion'];
// Real-looking values for the examples' REPLACE_... placeholders, as IT fills them in.
const filledIn = (doc: string) => doc.replace(/REPLACE[A-Za-z0-9_+]*=/g, `${'A'.repeat(43)}=`).replace(/REPLACE[A-Za-z0-9_]*/g, (m) => 'K'.repeat(m.length));
const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

describe('macOS configuration profile', () => {
  const profile = parsePlist(text('build/mdm/macos/com.porchlight.agent.mobileconfig')) as Dict;
  const payloads = profile.PayloadContent as Dict[];

  it('is a system-scoped configuration profile with one payload for the app bundle id', () => {
    expect(profile).toMatchObject({ PayloadType: 'Configuration', PayloadScope: 'System', PayloadVersion: 1 });
    expect(payloads).toHaveLength(1);
    expect(payloads[0]!.PayloadType).toBe(BUNDLE_ID);
    const uuids = [profile.PayloadUUID, payloads[0]!.PayloadUUID];
    for (const u of uuids) expect(u).toMatch(UUID);
    expect(new Set(uuids).size).toBe(2);
  });

  it('as shipped, its REPLACE_ placeholders are refused by the policy schema', async () => {
    const managed = await loadManagedPolicy([new PlistSource(MACOS_POLICY_PATH, async () => buildPlist(payloads[0] as PlistValue))]);
    expect(managed.kind).not.toBe('valid');
    expect(JSON.stringify(managed)).toContain('REPLACE_... placeholder');
  });

  it('its payload, placeholders filled in, is valid policy when macOS writes it to managed preferences and the plist source reads it', async () => {
    const payload = (parsePlist(filledIn(text('build/mdm/macos/com.porchlight.agent.mobileconfig'))) as { PayloadContent: Dict[] }).PayloadContent[0]!;
    const managedPreferences = buildPlist(payload as PlistValue);
    const managed = await loadManagedPolicy([new PlistSource(MACOS_POLICY_PATH, async () => managedPreferences)]);
    expect(managed.kind).toBe('valid');
    const policyKeys = Object.keys(payload).filter((k) => !PAYLOAD_KEYS.includes(k));
    expect(managed.kind === 'valid' && Object.keys(managed.values).sort()).toEqual(policyKeys.sort());
  });

  it('carries no payload key the plist source would not drop (any other key would make the policy invalid)', () => {
    const extra = Object.keys(payloads[0]!).filter((k) => k.startsWith('Payload') && !PAYLOAD_KEYS.includes(k));
    expect(extra).toEqual([]);
  });
});

describe('Linux policy.json example', () => {
  it('as shipped, its REPLACE_ placeholders are refused by the policy schema', async () => {
    const managed = await loadManagedPolicy([new JsonFileSource(LINUX_POLICY_PATH, async () => text('build/mdm/linux/policy.json'))]);
    expect(managed.kind).not.toBe('valid');
    expect(JSON.stringify(managed)).toContain('REPLACE_... placeholder');
  });

  it('placeholders filled in, is valid policy read through the JSON file source', async () => {
    const managed = await loadManagedPolicy([new JsonFileSource(LINUX_POLICY_PATH, async () => filledIn(text('build/mdm/linux/policy.json')))]);
    expect(managed).toMatchObject({ kind: 'valid', origins: [LINUX_POLICY_PATH] });
    expect(managed.kind === 'valid' && managed.values.allowQuit).toBe(false);
  });
});

describe('policy JSON Schema', () => {
  const committed = text('build/mdm/policy.schema.json');
  const schema = JSON.parse(committed) as Dict & { properties: Record<string, Dict> };
  const validate = new Ajv2020({ allErrors: true, strict: true, validateFormats: false }).compile(schema);

  it('is up to date with src/core/policy/schema.ts', () => {
    const fresh = execFileSync(process.execPath, [join(root, 'scripts/gen-policy-schema.mjs'), '--stdout'], { encoding: 'utf8' });
    expect(committed, 'stale: run node scripts/gen-policy-schema.mjs').toBe(fresh);
  });

  it('names every policy key, with its default', () => {
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys({ ...DEFAULT_POLICY, relayUrl: 0, relayUrls: 0, relayPublicKey: 0, relayTlsPin: 0, approvalsPublicKey: 0, technicianGroups: 0, auditDir: 0, accessHooks: 0, itDisplayName: 0, itConsentLine: 0, itSupportPhone: 0, screenServer: 0, fileFolder: 0 }).sort());
    for (const [key, value] of Object.entries(DEFAULT_POLICY)) expect(schema.properties[key]!.default, key).toEqual(value);
  });

  it('accepts the examples and rejects what the agent rejects', () => {
    expect(validate(JSON.parse(text('build/mdm/linux/policy.json'))), 'placeholders must not validate').toBe(false);
    expect(validate(JSON.parse(filledIn(text('build/mdm/linux/policy.json'))))).toBe(true);
    const payload = { ...((parsePlist(filledIn(text('build/mdm/macos/com.porchlight.agent.mobileconfig'))) as Dict).PayloadContent as Dict[])[0] };
    for (const k of PAYLOAD_KEYS) delete payload[k];
    expect(validate(payload), JSON.stringify(validate.errors)).toBe(true);
    for (const bad of [{ surprise: true }, { retentionDays: 7 }, { allowedScopes: ['root'] }, { relayUrl: 'https://relay.example.com' }, { rateLimit: { prompts: 3 } }, { relayPublicKey: 'short' }, { itSupportPhone: 'Call Bob, he knows' }, { itDisplayName: 'Robinson\u202e TI' }, { itConsentLine: '\u200b' }, { itConsentLine: 'one\u2028two' }])
      expect(validate(bad), JSON.stringify(bad)).toBe(false);
  });

  it('refuses ws:// to a non-loopback relay unless the same document sets allowInsecureRelay, as the agent does', async () => {
    const agentAccepts = async (doc: Dict) => (await loadManagedPolicy([new JsonFileSource(LINUX_POLICY_PATH, async () => JSON.stringify(doc))])).kind === 'valid';
    const cases: Array<[Dict, boolean]> = [
      [{ relayUrl: 'ws://relay.example.com:7443' }, false],
      [{ relayUrl: 'ws://10.0.0.5:7443' }, false],
      [{ relayUrl: 'ws://127.0.0.1.example.com' }, false],
      [{ relayUrl: 'ws://localhost.example.com/' }, false],
      [{ relayUrls: ['wss://a.example.com', 'ws://b.example.com'] }, false],
      [{ relayUrl: 'ws://relay.example.com', allowInsecureRelay: false }, false],
      [{ relayUrl: 'wss://relay.example.com:7443' }, true],
      [{ relayUrl: 'ws://127.0.0.1:7443' }, true],
      [{ relayUrl: 'ws://localhost:7443/agent' }, true],
      [{ relayUrl: 'ws://[::1]:7443' }, true],
      [{ relayUrls: ['ws://127.0.0.1:7443', 'wss://b.example.com'] }, true],
      [{ relayUrl: 'ws://lab-relay:7443', relayUrls: ['ws://lab-relay-2:7443'], allowInsecureRelay: true }, true],
    ];
    for (const [doc, valid] of cases) {
      expect(validate(doc), `JSON Schema: ${JSON.stringify(doc)}`).toBe(valid);
      expect(await agentAccepts(doc), `agent: ${JSON.stringify(doc)}`).toBe(valid);
    }
  });
});
