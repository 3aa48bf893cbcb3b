// Windows Group Policy: HKLM\SOFTWARE\Policies\Porchlight, read with
// `reg query /s` (no native module). Values: REG_SZ strings, REG_DWORD numbers
// and booleans (0/1), REG_QWORD large numbers, REG_MULTI_SZ lists; subkeys hold
// the nested objects (rateLimit, fileTransfer, technicianGroups\<group>).
// build/mdm/windows/Porchlight.admx writes exactly these.
import { execFile } from 'node:child_process';
import { DEFAULT_POLICY } from '../schema.js';
import type { ManagedPolicySource, SourceReadResult } from './managed-source.js';

export const REGISTRY_KEY = 'HKLM\\SOFTWARE\\Policies\\Porchlight';
const LONG_ROOT = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Porchlight';

export type RunReg = (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

export const runRegQuery: RunReg = (args) =>
  new Promise((resolve) => {
    execFile('reg', args, { windowsHide: true, timeout: 10_000, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });

export class RegistrySource implements ManagedPolicySource {
  readonly name = REGISTRY_KEY;
  constructor(private readonly runReg: RunReg = runRegQuery) {}

  async read(): Promise<SourceReadResult> {
    const r = await this.runReg(['query', REGISTRY_KEY, '/s']);
    if (r.code !== 0) {
      if (/unable to find/i.test(r.stderr)) return { kind: 'absent' };
      return { kind: 'error', origin: REGISTRY_KEY, detail: `reg query failed (exit ${r.code})` };
    }
    const parsed = parseRegQuery(r.stdout);
    return parsed.ok ? { kind: 'found', origin: REGISTRY_KEY, data: parsed.data } : { kind: 'error', origin: REGISTRY_KEY, detail: parsed.detail };
  }
}

const VALUE_LINE = /^ {4}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/;

/** Turn `reg query /s` output into the policy object shape. */
export function parseRegQuery(stdout: string): { ok: true; data: Record<string, unknown> } | { ok: false; detail: string } {
  const root: Record<string, unknown> = {};
  let path: string[] | undefined;
  for (const raw of stdout.split(/\r?\n/)) {
    if (raw.trim() === '') continue;
    if (!raw.startsWith(' ')) {
      const key = raw.trim();
      if (!key.toUpperCase().startsWith(LONG_ROOT.toUpperCase())) return { ok: false, detail: `unexpected key ${key.slice(0, 100)}` };
      path = key.slice(LONG_ROOT.length).split('\\').filter((p) => p.length > 0);
      continue;
    }
    const m = VALUE_LINE.exec(raw);
    if (!m || !path) return { ok: false, detail: 'unreadable reg query output' };
    const [, name, type, text = ''] = m;
    if (name === '(Default)') continue;
    const value = convert(type!, text, [...path, name!]);
    if (value === undefined) return { ok: false, detail: `${[...path, name].join('\\')}: unsupported value type ${type}` };
    let target = root;
    for (const p of path) {
      const next = (target[p] ??= {}) as Record<string, unknown>;
      if (typeof next !== 'object' || Array.isArray(next)) return { ok: false, detail: `${p} is both a value and a key` };
      target = next;
    }
    target[name!] = value;
  }
  return { ok: true, data: root };
}

function convert(type: string, text: string, path: string[]): unknown {
  switch (type) {
    case 'REG_SZ':
    case 'REG_EXPAND_SZ':
      // An ADMX list element can only write REG_SZ values, so a group's scopes come as "view,control".
      return isTechnicianGroup(path) ? text.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : text;
    case 'REG_DWORD':
    case 'REG_QWORD': {
      const n = Number.parseInt(text, 16);
      return expectsBoolean(path) ? n !== 0 : n;
    }
    case 'REG_MULTI_SZ':
      return text === '' ? [] : text.split('\\0').filter((s) => s.length > 0);
    default:
      return undefined;
  }
}

function isTechnicianGroup(path: string[]): boolean {
  return path.length === 2 && path[0] === 'technicianGroups';
}

/** A DWORD at this path stands for a boolean if the default policy has one there. */
function expectsBoolean(path: string[]): boolean {
  let node: unknown = DEFAULT_POLICY;
  for (const p of path) {
    if (!node || typeof node !== 'object') return false;
    node = (node as Record<string, unknown>)[p];
  }
  return typeof node === 'boolean';
}
