// Windows Group Policy templates (build/mdm/windows): well-formed XML, one
// registry value for every policy key and nothing else, bounds as in the zod
// schema, every ADML reference resolved, and what Group Policy would write
// when every policy is enabled reads back through the registry source as the
// same valid policy.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { parseManagedDocument } from '../../src/core/policy/merge.js';
import { policySchema, type Policy } from '../../src/core/policy/schema.js';
import { parseRegQuery } from '../../src/core/policy/sources/registry-source.js';

const root = new URL('../..', import.meta.url).pathname;
const ADMX = 'build/mdm/windows/Porchlight.admx';
const ADML = 'build/mdm/windows/en-US/Porchlight.adml';
const admxText = readFileSync(root + ADMX, 'utf8');
const admlText = readFileSync(root + ADML, 'utf8');
const POLICY_KEY = 'Software\\Policies\\Porchlight';
const ELEMENT_KINDS = ['text', 'decimal', 'longDecimal', 'multiText', 'list', 'boolean', 'enum'] as const;

type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name, jPath) =>
    ['policy', 'category', 'string', 'presentation', 'definition'].includes(name) || ((ELEMENT_KINDS as readonly string[]).includes(name) && String(jPath).endsWith(`elements.${name}`)),
});
const admx = parser.parse(admxText).policyDefinitions as Node;
const adml = parser.parse(admlText).policyDefinitionResources as Node;
const policies = admx.policies.policy as Node[];

/** One registry value an ADMX policy writes, named by its path in the policy object ('rateLimit.prompts', 'technicianGroups.*'). */
interface RegistryEntry {
  policy: Node;
  path: string;
  subkey: string[];
  valueName: string;
  kind: 'booleanPolicy' | (typeof ELEMENT_KINDS)[number];
  element: Node;
}

function subkeyOf(key: string): string[] {
  expect(key.startsWith(POLICY_KEY), `${key} is outside ${POLICY_KEY}`).toBe(true);
  return key.slice(POLICY_KEY.length).split('\\').filter((p) => p.length > 0);
}

const entries: RegistryEntry[] = policies.flatMap((policy) => {
  const out: RegistryEntry[] = [];
  if (policy['@valueName']) {
    const subkey = subkeyOf(policy['@key']);
    out.push({ policy, subkey, valueName: policy['@valueName'], path: [...subkey, policy['@valueName']].join('.'), kind: 'booleanPolicy', element: policy });
  }
  for (const kind of ELEMENT_KINDS) {
    for (const element of (policy.elements?.[kind] ?? []) as Node[]) {
      const subkey = subkeyOf(element['@key'] ?? policy['@key']);
      const valueName = kind === 'list' ? '*' : element['@valueName'];
      out.push({ policy, subkey, valueName, path: [...subkey, valueName].join('.'), kind, element });
    }
  }
  return out;
});

/** The policy keys as registry paths, from the zod schema itself. */
const jsonSchema = z.toJSONSchema(policySchema) as { properties: Record<string, Node> };
/** Keys set only in the managed JSON document on Windows (scripts/gen-admx.mjs NOT_IN_ADMX): none today. */
const NOT_IN_ADMX: string[] = [];
const expectedPaths = Object.entries(jsonSchema.properties).flatMap(([key, prop]) => {
  if (NOT_IN_ADMX.includes(key)) return [];
  // accessHooks: per scope (propertyNames), one value per hook field.
  if (prop.type === 'object' && prop.propertyNames?.enum) return (prop.propertyNames.enum as string[]).flatMap((scope) => Object.keys(prop.additionalProperties.properties).map((field) => `${key}.${scope}.${field}`));
  if (prop.type === 'object' && prop.additionalProperties) return [`${key}.*`];
  if (prop.type === 'object') return Object.keys(prop.properties).map((field) => `${key}.${field}`);
  return [key];
});
function schemaAt(path: string): Node {
  let node: Node = { properties: jsonSchema.properties };
  for (const part of path.split('.')) {
    if (part === '*') break;
    node = node.properties?.[part] ?? node.additionalProperties;
  }
  return node;
}
/** The value at a registry path in a policy object ('accessHooks.admin.grant'); undefined when not set. */
function valueAt(values: Policy, path: string): unknown {
  let node: unknown = values;
  for (const part of path.split('.')) {
    if (part === '*') break;
    node = node === undefined ? undefined : (node as Record<string, unknown>)[part];
  }
  return node;
}

describe('ADMX and ADML', () => {
  it('are well-formed XML', () => {
    expect(XMLValidator.validate(admxText)).toBe(true);
    expect(XMLValidator.validate(admlText)).toBe(true);
    expect(admx['@xmlns']).toBe('http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions');
    expect(adml['@xmlns']).toBe(admx['@xmlns']);
  });

  it('cover exactly the policy keys: every key once, no extras', () => {
    const paths = entries.map((e) => e.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect([...paths].sort()).toEqual([...expectedPaths].sort());
  });

  it('are machine policies under HKLM\\Software\\Policies\\Porchlight', () => {
    for (const p of policies) {
      expect(p['@class'], p['@name']).toBe('Machine');
      expect(p['@key'], p['@name']).toBe(POLICY_KEY);
    }
  });

  it('write each key with the registry type the registry source reads, within the zod bounds', () => {
    for (const e of entries) {
      const prop = schemaAt(e.path);
      if (prop.type === 'boolean') {
        expect(['booleanPolicy', 'boolean'], e.path).toContain(e.kind);
        const [on, off] = e.kind === 'booleanPolicy' ? [e.element.enabledValue, e.element.disabledValue] : [e.element.trueValue, e.element.falseValue];
        expect([on?.decimal?.['@value'], off?.decimal?.['@value']], e.path).toEqual(['1', '0']);
      } else if (prop.type === 'integer') {
        expect(['decimal', 'longDecimal'], e.path).toContain(e.kind);
        expect(Number(e.element['@minValue']), e.path).toBe(prop.minimum);
        expect(Number(e.element['@maxValue']), e.path).toBe(prop.maximum);
        if (e.kind === 'decimal') expect(prop.maximum, `${e.path} needs a REG_QWORD`).toBeLessThanOrEqual(0xffffffff);
        expect(e.element['@storeAsText'], e.path).toBeUndefined();
      } else if (prop.type === 'string') {
        expect(e.kind, e.path).toBe('text');
        expect(e.element['@expandable'], e.path).toBeUndefined();
      } else if (prop.type === 'array') {
        expect(e.kind, e.path).toBe('multiText');
      } else {
        expect(e.kind, e.path).toBe('list');
        expect(e.element['@explicitValue'], e.path).toBe('true');
      }
      if (e.kind !== 'booleanPolicy' && e.kind !== 'list') expect(e.element['@id'], e.path).toBe(e.valueName);
    }
  });

  it('every string and presentation the ADMX names is in the ADML, and the ADML has nothing else', () => {
    const stringIds = (adml.resources.stringTable.string as Node[]).map((s) => s['@id'] as string);
    const presentationIds = (adml.resources.presentationTable.presentation as Node[]).map((p) => p['@id'] as string);
    const stringRefs = new Set([...admxText.matchAll(/\$\(string\.([^)]+)\)/g)].map((m) => m[1]!));
    const presentationRefs = new Set([...admxText.matchAll(/\$\(presentation\.([^)]+)\)/g)].map((m) => m[1]!));
    expect(new Set(stringIds).size).toBe(stringIds.length);
    expect([...stringRefs].sort()).toEqual([...stringIds].sort());
    expect([...presentationRefs].sort()).toEqual([...presentationIds].sort());
  });

  it("each presentation has one control per element of its policy, bound by refId", () => {
    const presentations = new Map((adml.resources.presentationTable.presentation as Node[]).map((p) => [p['@id'] as string, p]));
    for (const p of policies) {
      const ids = ELEMENT_KINDS.flatMap((k) => ((p.elements?.[k] ?? []) as Node[]).map((el) => el['@id'] as string));
      if (ids.length === 0) {
        expect(p['@presentation'], p['@name']).toBeUndefined();
        continue;
      }
      const presentation = presentations.get(/^\$\(presentation\.(.+)\)$/.exec(p['@presentation'])![1]!)!;
      const refIds = Object.entries(presentation)
        .filter(([k]) => !k.startsWith('@'))
        .flatMap(([, v]) => (Array.isArray(v) ? v : [v]) as Node[])
        .map((control) => control['@refId'] as string);
      expect(refIds.sort(), p['@name']).toEqual([...ids].sort());
    }
  });

  it('every policy sits in a defined category and names a defined support statement', () => {
    const categories = new Set((admx.categories.category as Node[]).map((c) => c['@name'] as string));
    const supported = new Set((admx.supportedOn.definitions.definition as Node[]).map((d) => d['@name'] as string));
    for (const p of policies) {
      expect(categories.has(p.parentCategory['@ref']), p['@name']).toBe(true);
      expect(supported.has(p.supportedOn['@ref']), p['@name']).toBe(true);
    }
  });
});

/** A policy that sets every key (the Linux example, its REPLACE_ placeholders filled in, plus the keys it leaves out). */
const example = JSON.parse(readFileSync(root + 'build/mdm/linux/policy.json', 'utf8')) as Policy;
const sample: Policy = { ...example, relayPublicKey: 'K'.repeat(43), approvalsPublicKey: 'L'.repeat(43), relayTlsPin: `${'A'.repeat(43)}=`, auditDir: 'D:\\Audit\\Porchlight' };

/** The `reg query /s` output Windows shows once Group Policy has applied every ADMX policy with `sample`'s values. */
function regQueryAfterApplying(values: Policy): string {
  const keys = new Map<string, string[]>();
  const hex = (n: number) => `0x${n.toString(16)}`;
  for (const e of entries) {
    const value = valueAt(values, e.path);
    // An optional field or a per-scope hook the example leaves out: that policy or field is not set.
    if (value === undefined) continue;
    const lines: string[] = [];
    switch (e.kind) {
      case 'booleanPolicy':
      case 'boolean':
        lines.push(`${e.valueName}    REG_DWORD    ${hex(value ? 1 : 0)}`);
        break;
      case 'decimal':
        expect(value as number).toBeGreaterThanOrEqual(Number(e.element['@minValue']));
        expect(value as number).toBeLessThanOrEqual(Number(e.element['@maxValue']));
        lines.push(`${e.valueName}    REG_DWORD    ${hex(value as number)}`);
        break;
      case 'longDecimal':
        lines.push(`${e.valueName}    REG_QWORD    ${hex(value as number)}`);
        break;
      case 'text':
        lines.push(`${e.valueName}    REG_SZ    ${value as string}`);
        break;
      case 'multiText':
        lines.push(`${e.valueName}    REG_MULTI_SZ    ${(value as string[]).join('\\0')}`);
        break;
      case 'list':
        for (const [name, scopes] of Object.entries(value as Record<string, string[]>)) lines.push(`${name}    REG_SZ    ${scopes.join(',')}`);
        break;
      default:
        throw new Error(`unexpected element ${e.kind}`);
    }
    const regKey = ['HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Porchlight', ...e.subkey].join('\\');
    keys.set(regKey, [...(keys.get(regKey) ?? []), ...lines]);
  }
  return [...keys].map(([key, lines]) => [key, ...lines.map((l) => `    ${l}`), ''].join('\r\n')).join('\r\n');
}

describe('ADMX round trip through the registry source', () => {
  it('the example sets every key', () => {
    expect(Object.keys(sample).sort()).toEqual(Object.keys(policySchema.shape).sort());
  });

  it('every policy enabled with the example values reads back as exactly that policy', () => {
    const parsed = parseRegQuery(regQueryAfterApplying(sample));
    expect(parsed.ok).toBe(true);
    const doc = parsed.ok ? parseManagedDocument(parsed.data) : undefined;
    const inAdmx = Object.fromEntries(Object.entries(sample).filter(([k]) => !NOT_IN_ADMX.includes(k)));
    expect(doc).toEqual({ ok: true, values: inAdmx });
  });

  it('an optional screen gate field left empty in Group Policy reads back as not set', () => {
    const text = regQueryAfterApplying(sample).replace(/(\\screenServer\r\n)/, '$1    passwordFile    REG_SZ    \r\n');
    expect(text).toContain('passwordFile    REG_SZ');
    const parsed = parseRegQuery(text);
    expect(parsed.ok && parseManagedDocument(parsed.data)).toEqual({ ok: true, values: sample });
  });

  it('disabled boolean policies read back as false', () => {
    const values: Policy = { ...sample, unattendedAllowed: false, allowQuit: false, startAtLogin: false, fileTransfer: { ...sample.fileTransfer, requireTicket: false } };
    const parsed = parseRegQuery(regQueryAfterApplying(values));
    expect(parsed.ok && parseManagedDocument(parsed.data)).toEqual({ ok: true, values });
  });
});

describe('generated from the zod schema', () => {
  it('the committed ADMX and ADML equal a fresh generation', () => {
    const out = mkdtempSync(join(tmpdir(), 'porchlight-admx-'));
    try {
      execFileSync(process.execPath, [join(root, 'scripts/gen-admx.mjs'), '--out', out], { stdio: 'pipe' });
      expect(readFileSync(join(out, ADMX), 'utf8'), 'stale: run node scripts/gen-admx.mjs').toBe(admxText);
      expect(readFileSync(join(out, ADML), 'utf8'), 'stale: run node scripts/gen-admx.mjs').toBe(admlText);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
