// Writes the Windows Group Policy templates for every managed policy key:
//   build/mdm/windows/Porchlight.admx        policies, registry values, bounds
//   build/mdm/windows/en-US/Porchlight.adml  names, explanations, dialog labels
// generated from the zod policy schema (types, bounds, descriptions) plus the
// display names below. Values land under HKLM\Software\Policies\Porchlight in
// the shape src/core/policy/sources/registry-source.ts reads.
// test/build/admx.test.ts checks coverage, the round trip through the registry
// source, and that the committed files are up to date.
//
//   node scripts/gen-admx.mjs            writes the two files
//   node scripts/gen-admx.mjs --out DIR  writes them under DIR instead
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPolicySchema } from './load-policy-schema.mjs';
import { policyJsonSchema } from './gen-policy-schema.mjs';

export const ADMX_PATH = 'build/mdm/windows/Porchlight.admx';
export const ADML_PATH = 'build/mdm/windows/en-US/Porchlight.adml';
const KEY = 'Software\\Policies\\Porchlight';
const VERSION = '1.0';

const CATEGORIES = {
  Relay: 'Relay connection',
  Access: 'Who may connect, and with which access',
  Sessions: 'Prompts and sessions',
  FileTransfer: 'File transfer',
  Wording: 'What users read in the consent dialog',
  Gates: 'Access gates: what a granted scope opens',
  Audit: 'Audit log',
  Application: 'Application',
};

/** Display name and category per policy key; labels for the fields of object-valued keys. */
const POLICIES = {
  relayUrl: { category: 'Relay', name: 'Relay URL' },
  relayUrls: { category: 'Relay', name: 'More relay instances to fail over to' },
  relayPublicKey: { category: 'Relay', name: 'Pin the relay signing key' },
  relayTlsPin: { category: 'Relay', name: 'Pin the relay TLS certificate key' },
  allowInsecureRelay: { category: 'Relay', name: 'Allow an unencrypted relay (development only)' },
  allowedScopes: { category: 'Access', name: 'Allowed access scopes' },
  technicianGroups: { category: 'Access', name: 'Technician groups and their scopes' },
  unattendedAllowed: { category: 'Access', name: 'Allow unattended sessions' },
  requireContact: { category: 'Access', name: 'Require technicians to say how they reached the user' },
  maxAgreedWindowHours: { category: 'Access', name: 'Longest window a user may agree to in advance (hours)' },
  unattendedGroups: { category: 'Access', name: 'Technician groups allowed unattended sessions' },
  emergencyAllowed: { category: 'Access', name: 'Allow emergency unattended sessions' },
  approvalsPublicKey: { category: 'Access', name: 'Pin the approvals signing key' },
  promptTimeoutSec: { category: 'Sessions', name: 'Prompt timeout (seconds)' },
  maxSessionMinutes: { category: 'Sessions', name: 'Longest session (minutes)' },
  queueSize: { category: 'Sessions', name: 'Requests that may wait' },
  rateLimit: {
    category: 'Sessions',
    name: 'Prompt rate limit per technician',
    summary: 'How often one technician may prompt this device, and when repeated declines stop the prompts.',
    fields: { prompts: 'Prompts per window', windowMinutes: 'Window (minutes)', autoDeclineAfterDeclines: 'Decline without a prompt after this many declines' },
  },
  fileTransfer: {
    category: 'FileTransfer',
    name: 'File transfer rules',
    summary: 'Limits on the files a technician sends to or takes from this device during a session.',
    fields: { maxBytes: 'Largest file (bytes)', blockedExtensions: 'Blocked extensions, one per line (like .exe)', requireTicket: 'Every transfer must name the session ticket' },
  },
  itDisplayName: { category: 'Wording', name: 'Your IT department name' },
  itConsentLine: { category: 'Wording', name: 'A line under the title' },
  itSupportPhone: { category: 'Wording', name: 'Support phone number' },
  fileFolder: { category: 'FileTransfer', name: 'Folder for received files' },
  screenServer: {
    category: 'Gates',
    name: 'Screen gate: the local VNC server that view opens',
    summary: 'The local VNC server the screen channel reaches when view is granted.',
    notConfigured: 'no screen channel: view and control stay consent-only',
    fields: {
      host: 'Loopback address (127.0.0.1 or ::1)',
      port: 'Port',
      passwordFile: 'Password file of an existing VNC server (optional)',
      x11vncDisplay: 'Linux only: X display to start x11vnc for (optional, like :0)',
      x11vncPath: 'x11vnc executable (optional)',
      xauthority: 'XAUTHORITY file for x11vnc (optional)',
    },
  },
  accessHooks: {
    category: 'Gates',
    name: 'Admin hook',
    perScope: true,
    fields: { grant: 'Command run on grant: the absolute path of the executable, then one argument per line', revoke: 'Command run on revoke and at the end: the absolute path, then one argument per line', timeoutSec: 'Time limit (seconds)' },
  },
  auditDir: { category: 'Audit', name: 'Audit log folder' },
  retentionDays: { category: 'Audit', name: 'Keep audit files (days)' },
  allowQuit: { category: 'Application', name: 'Show Quit in the tray menu' },
  startAtLogin: { category: 'Application', name: 'Start at login' },
};

/** Keys Group Policy can't express (none today: accessHooks is one policy per scope, argv as a multi-line list). */
export const NOT_IN_ADMX = [];

const xml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const LIST_HINTS = {
  allowedScopes: 'Scopes, one per line: view, control, admin, file-transfer',
  unattendedGroups: 'Technician group ids, one per line',
  relayUrls: 'Relay URLs, one per line, in the order to try (wss://...)',
};

/** One ADMX element (and its ADML presentation control) for a value of JSON Schema `prop`. */
function element(id, prop, label, key, optional = false) {
  const keyAttr = key ? ` key="${xml(key)}"` : '';
  const required = optional ? '' : ' required="true"';
  if (prop.type === 'boolean')
    return {
      admx: `<boolean id="${id}"${keyAttr} valueName="${id}"><trueValue><decimal value="1"/></trueValue><falseValue><decimal value="0"/></falseValue></boolean>`,
      adml: `<checkBox refId="${id}"${prop.default ? ' defaultChecked="true"' : ''}>${xml(label)}</checkBox>`,
      reg: 'REG_DWORD',
    };
  if (prop.type === 'integer') {
    // decimal writes a REG_DWORD (up to 4294967295); larger bounds need a REG_QWORD.
    const long = prop.maximum > 0xffffffff;
    const tag = long ? 'longDecimal' : 'decimal';
    const box = long ? 'longDecimalTextBox' : 'decimalTextBox';
    const def = prop.default !== undefined ? ` defaultValue="${prop.default}"` : '';
    return {
      admx: `<${tag} id="${id}"${keyAttr} valueName="${id}"${required} minValue="${prop.minimum}" maxValue="${prop.maximum}"/>`,
      adml: `<${box} refId="${id}"${def}>${xml(label)}</${box}>`,
      reg: long ? 'REG_QWORD' : 'REG_DWORD',
    };
  }
  if (prop.type === 'string') {
    const max = prop.maxLength ?? 1023;
    return {
      admx: `<text id="${id}"${keyAttr} valueName="${id}"${required} maxLength="${max}"/>`,
      adml: `<textBox refId="${id}"><label>${xml(label)}</label></textBox>`,
      reg: 'REG_SZ',
    };
  }
  if (prop.type === 'array')
    return {
      admx: `<multiText id="${id}"${keyAttr} valueName="${id}"${required} maxStrings="${prop.maxItems}"/>`,
      adml: `<multiTextBox refId="${id}">${xml(label)}</multiTextBox>`,
      reg: 'REG_MULTI_SZ',
    };
  throw new Error(`no ADMX element for ${id} (${prop.type})`);
}

const shown = (value) => (Array.isArray(value) ? (value.length > 0 ? value.join(', ') : 'none') : typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value));

function explain(key, prop, userSettable) {
  const lines = [prop.description ?? POLICIES[key].summary];
  const where = (sub, name, reg) => `HKLM\\${KEY}${sub ? `\\${sub}` : ''} ${name} (${reg})`;
  if (prop.type === 'boolean') {
    lines.push('', `Enabled: on. Disabled: off. Not configured: ${prop.default ? 'on' : 'off'} (the default).`, '', `Registry: ${where('', key, 'REG_DWORD 1 or 0')}.`);
  } else if (prop.type === 'object' && prop.additionalProperties) {
    lines.push('', 'Enabled: add one entry per group. Value name: the group id (a-z, 0-9, _ . -). Value: the scopes that group may ask for, separated by commas (view, control, admin, file-transfer). A technician whose group is not listed cannot connect.', '', 'Disabled or Not configured: any group may connect, limited by Allowed access scopes.', '', `Registry: HKLM\\${KEY}\\${key}, one REG_SZ value per group.`);
  } else if (prop.type === 'object') {
    lines.push('', 'Enabled: every field below applies (an optional field left empty is not set).', '');
    for (const [field, sub] of Object.entries(prop.properties)) {
      const range = sub.type === 'integer' ? ` Range ${sub.minimum} to ${sub.maximum}.` : '';
      const def = prop.default?.[field] !== undefined ? ` Default: ${shown(prop.default[field])}.` : '';
      lines.push(`${POLICIES[key].fields[field]}: ${sub.description}${range}${def}`);
    }
    lines.push('', `Disabled or Not configured: ${POLICIES[key].notConfigured ?? 'the defaults apply'}.`, '', `Registry: HKLM\\${KEY}\\${key}, one value per field.`);
  } else {
    const el = element(key, prop, '', undefined);
    if (prop.type === 'integer') lines.push('', `Range: ${prop.minimum} to ${prop.maximum}.`);
    const fallback = prop.default !== undefined ? `the default (${shown(prop.default)}) applies` : 'nothing is set';
    lines.push('', `Disabled or Not configured: ${fallback}${userSettable ? `; the user's own setting applies (it can only make Porchlight stricter)` : ''}.`, '', `Registry: ${where('', key, el.reg)}.`);
  }
  if (userSettable) lines.push('', 'When this policy is enabled, the user cannot change the value.');
  return lines.join('\n');
}

/** accessHooks: one policy per scope (HKLM\\...\\accessHooks\\<scope>), grant and revoke argv as multi-line text. */
function perScopePolicy(key, scope, hook, meta) {
  const name = `${key}_${scope.replace(/-/g, '_')}`;
  const subkey = `${KEY}\\${key}\\${scope}`;
  const elements = Object.entries(hook.properties).map(([field, sub]) => element(field, sub, meta.fields[field], subkey));
  const explainText = [
    `When ${scope} is granted, Porchlight runs the grant command and reports ${scope} as granted only if it exits with 0. When ${scope} is revoked, the session ends or expires, the agent exits, and at the next start for a session left open, it runs the revoke command, so access IT opens (for example a temporary admin account) never outlives its session.`,
    '',
    'No shell: the first line is the absolute path of the executable, each further line one argument (an empty argument cannot be written by Group Policy). The command gets PORCHLIGHT_ACTION, PORCHLIGHT_SCOPE, PORCHLIGHT_SESSION_ID, PORCHLIGHT_TICKET_ID, PORCHLIGHT_TECHNICIAN_ID and PORCHLIGHT_DEVICE_ID in its environment; see docs/deploy.md for the example scripts.',
    '',
    ...Object.entries(hook.properties).map(([field, sub]) => `${meta.fields[field]}: ${sub.description}${sub.type === 'integer' ? ` Range ${sub.minimum} to ${sub.maximum}.` : ''}`),
    '',
    `Disabled or Not configured: no hook for ${scope}; granting it is consent only.`,
    '',
    `Registry: HKLM\\${subkey}, values grant and revoke (REG_MULTI_SZ) and timeoutSec (REG_DWORD).`,
  ].join('\n');
  const head = `name="${name}" class="Machine" displayName="$(string.${name})" explainText="$(string.${name}_Explain)" key="${xml(KEY)}"`;
  return {
    policy: `    <policy ${head} presentation="$(presentation.${name})">\n      <parentCategory ref="Cat_${meta.category}"/>\n      <supportedOn ref="SUPPORTED_Porchlight_0_1"/>\n      <elements>\n${elements.map((e) => `        ${e.admx}`).join('\n')}\n      </elements>\n    </policy>`,
    presentation: `      <presentation id="${name}">\n${elements.map((e) => `        ${e.adml}`).join('\n')}\n      </presentation>`,
    strings: [[name, `${meta.name}: ${scope}`], [`${name}_Explain`, explainText]],
  };
}

export async function generateAdmx() {
  const { USER_SETTABLE_KEYS } = await loadPolicySchema();
  const schema = await policyJsonSchema();
  const keys = Object.keys(schema.properties).filter((k) => !NOT_IN_ADMX.includes(k));
  const missing = keys.filter((k) => !POLICIES[k]);
  if (missing.length > 0) throw new Error(`add a display name for ${missing.join(', ')} in scripts/gen-admx.mjs`);

  const policies = [];
  const strings = [
    ['Porchlight', 'Porchlight'],
    ['SUPPORTED_Porchlight_0_1', 'Porchlight 0.1 and later'],
    ...Object.entries(CATEGORIES).map(([id, name]) => [`Cat_${id}`, name]),
  ];
  const presentations = [];

  for (const key of keys) {
    const prop = schema.properties[key];
    const meta = POLICIES[key];
    if (meta.perScope) {
      for (const scope of prop.propertyNames.enum) {
        const out = perScopePolicy(key, scope, prop.additionalProperties, meta);
        policies.push(out.policy);
        presentations.push(out.presentation);
        strings.push(...out.strings);
      }
      continue;
    }
    strings.push([key, meta.name], [`${key}_Explain`, explain(key, prop, USER_SETTABLE_KEYS.includes(key))]);
    const head = `name="${key}" class="Machine" displayName="$(string.${key})" explainText="$(string.${key}_Explain)" key="${xml(KEY)}"`;
    const common = `      <parentCategory ref="Cat_${meta.category}"/>\n      <supportedOn ref="SUPPORTED_Porchlight_0_1"/>`;

    if (prop.type === 'boolean') {
      policies.push(
        `    <policy ${head} valueName="${key}">\n${common}\n      <enabledValue><decimal value="1"/></enabledValue>\n      <disabledValue><decimal value="0"/></disabledValue>\n    </policy>`,
      );
      continue;
    }
    let elements;
    if (prop.type === 'object' && prop.additionalProperties) {
      elements = [
        {
          admx: `<list id="${key}" key="${xml(`${KEY}\\${key}`)}" explicitValue="true"/>`,
          adml: `<listBox refId="${key}">Group id (value name) and its scopes, like helpdesk = view,control</listBox>`,
        },
      ];
    } else if (prop.type === 'object') {
      const optional = (field) => !(prop.required ?? []).includes(field);
      elements = Object.entries(prop.properties).map(([field, sub]) => element(field, { ...sub, default: prop.default?.[field] }, meta.fields[field], `${KEY}\\${key}`, optional(field)));
    } else {
      elements = [element(key, prop, LIST_HINTS[key] ?? `${meta.name}:`, undefined)];
    }
    policies.push(
      `    <policy ${head} presentation="$(presentation.${key})">\n${common}\n      <elements>\n${elements.map((e) => `        ${e.admx}`).join('\n')}\n      </elements>\n    </policy>`,
    );
    presentations.push(`      <presentation id="${key}">\n${elements.map((e) => `        ${e.adml}`).join('\n')}\n      </presentation>`);
  }

  const admx = `<?xml version="1.0" encoding="utf-8"?>
<!-- Generated by scripts/gen-admx.mjs from src/core/policy/schema.ts. Do not edit by hand. -->
<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="${VERSION}" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">
  <policyNamespaces>
    <target prefix="porchlight" namespace="Porchlight.Policies.Porchlight"/>
  </policyNamespaces>
  <resources minRequiredRevision="${VERSION}"/>
  <supportedOn>
    <definitions>
      <definition name="SUPPORTED_Porchlight_0_1" displayName="$(string.SUPPORTED_Porchlight_0_1)"/>
    </definitions>
  </supportedOn>
  <categories>
    <category name="Porchlight" displayName="$(string.Porchlight)"/>
${Object.keys(CATEGORIES)
  .map((id) => `    <category name="Cat_${id}" displayName="$(string.Cat_${id})">\n      <parentCategory ref="Porchlight"/>\n    </category>`)
  .join('\n')}
  </categories>
  <policies>
${policies.join('\n')}
  </policies>
</policyDefinitions>
`;

  const adml = `<?xml version="1.0" encoding="utf-8"?>
<!-- Generated by scripts/gen-admx.mjs from src/core/policy/schema.ts. Do not edit by hand. -->
<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="${VERSION}" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">
  <displayName>Porchlight</displayName>
  <description>Managed policy for the Porchlight remote-support consent agent.</description>
  <resources>
    <stringTable>
${strings.map(([id, text]) => `      <string id="${id}">${xml(text)}</string>`).join('\n')}
    </stringTable>
    <presentationTable>
${presentations.join('\n')}
    </presentationTable>
  </resources>
</policyDefinitionResources>
`;
  return new Map([
    [ADMX_PATH, admx],
    [ADML_PATH, adml],
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const outRoot = values.out ?? new URL('..', import.meta.url).pathname;
  for (const [path, text] of await generateAdmx()) {
    mkdirSync(dirname(join(outRoot, path)), { recursive: true });
    writeFileSync(join(outRoot, path), text);
  }
}
