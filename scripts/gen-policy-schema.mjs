// Writes build/mdm/policy.schema.json: the JSON Schema of a managed policy
// document (/etc/porchlight/policy.json, C:\ProgramData\Porchlight\policy.json),
// generated from the zod schema in src/core/policy/schema.ts.
// test/build/policy-schema.test.ts fails when the committed file is stale.
//
//   node scripts/gen-policy-schema.mjs            writes build/mdm/policy.schema.json
//   node scripts/gen-policy-schema.mjs --stdout   prints it instead
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadPolicySchema } from './load-policy-schema.mjs';

export const POLICY_SCHEMA_PATH = 'build/mdm/policy.schema.json';

export async function policyJsonSchema() {
  const { z, partialPolicySchema, DEFAULT_POLICY, IT_WORDING_LIMITS, REFUSED_IN_LINE_SOURCE } = await loadPolicySchema();
  const generated = z.toJSONSchema(partialPolicySchema, { io: 'input', target: 'draft-2020-12' });
  const properties = generated.properties;
  // zod's refinement (ws:// or wss:// URL) has no JSON Schema form; say the same with a pattern.
  properties.relayUrl = { ...properties.relayUrl, format: 'uri', pattern: '^wss?://' };
  properties.relayUrls = { ...properties.relayUrls, items: { ...properties.relayUrls.items, format: 'uri', pattern: '^wss?://' } };
  // The examples' REPLACE_... placeholders must not validate (zod refines the same).
  for (const key of ['relayPublicKey', 'relayTlsPin', 'approvalsPublicKey']) properties[key] = { ...properties[key], not: { pattern: 'REPLACE' } };
  // IT's wording passes the text policy: the characters it refuses in one-line text are refused here too.
  for (const key of Object.keys(IT_WORDING_LIMITS)) properties[key] = { ...properties[key], not: { pattern: REFUSED_IN_LINE_SOURCE } };
  for (const [key, value] of Object.entries(DEFAULT_POLICY)) properties[key] = { ...properties[key], default: value };
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: 'https://porchlight.invalid/schemas/managed-policy.json',
    title: 'Porchlight managed policy',
    description: 'Keys IT sets through MDM. Every key is optional; a key set here is locked for the user. Unknown keys or invalid values make the agent fall back to its safest settings.',
    ...rest,
    ...plainRelayOnlyWhenInsecureAllowed(),
  };
}

// What crossKeyProblem in schema.ts checks across keys: ws:// only to a loopback
// relay (localhost, 127.x.x.x, [::1]) unless the same document sets allowInsecureRelay.
const TLS_OR_LOOPBACK = '^(wss://|ws://(localhost|127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}|\\[::1\\])([:/?#]|$))';

function plainRelayOnlyWhenInsecureAllowed() {
  const urlRule = { type: 'string', pattern: TLS_OR_LOOPBACK };
  return {
    if: { type: 'object', properties: { allowInsecureRelay: { const: true } }, required: ['allowInsecureRelay'] },
    else: { type: 'object', properties: { relayUrl: urlRule, relayUrls: { type: 'array', items: urlRule } } },
  };
}

export function formatSchema(schema) {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { stdout: { type: 'boolean' } } });
  const text = formatSchema(await policyJsonSchema());
  if (values.stdout) process.stdout.write(text);
  else writeFileSync(new URL(`../${POLICY_SCHEMA_PATH}`, import.meta.url), text);
}
