// Windows Group Policy: HKLM\SOFTWARE\Policies\Porchlight, read with
// `reg query /s` (no native module). Values: REG_SZ strings, REG_DWORD numbers
// and booleans (0/1), REG_QWORD large numbers, REG_MULTI_SZ lists; subkeys hold
// the nested objects (rateLimit, fileTransfer, screenServer, technicianGroups\<group>,
// accessHooks\<scope> with grant/revoke argv as REG_MULTI_SZ).
// build/mdm/windows/Porchlight.admx writes exactly these.
import { execFile, type ExecFileOptions } from 'node:child_process';
import { DEFAULT_POLICY } from '../schema.js';
import type { ManagedPolicySource, SourceReadResult } from './managed-source.js';
import { WINDOWS_REG_EXE } from './windows-system-paths.js';

export const REGISTRY_KEY = 'HKLM\\SOFTWARE\\Policies\\Porchlight';
const LONG_ROOT = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Porchlight';

export type RunReg = (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

export type ExecFile = (file: string, args: string[], options: ExecFileOptions, done: (err: Error | null, stdout: string | Buffer, stderr: string | Buffer) => void) => unknown;

/**
 * reg.exe by a fixed absolute path: a bare `reg` is looked up in the current
 * directory first on Windows, and %SystemRoot% is set by whoever starts us,
 * so either could hand us a planted reg.exe and a "managed" policy.
 */
export function regQueryRunner(exec: ExecFile = execFile): RunReg {
  return (args) =>
    new Promise((resolve) => {
      exec(WINDOWS_REG_EXE, args, { windowsHide: true, timeout: 10_000, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
        const errCode = (err as { code?: unknown } | null)?.code;
        const code = err ? (typeof errCode === 'number' ? errCode : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
}

export const runRegQuery: RunReg = regQueryRunner();

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

/** Names that would reach Object.prototype if used as keys while building the policy object. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

const VALUE_LINE = /^ {4}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/;

/** Turn `reg query /s` output into the policy object shape. */
export function parseRegQuery(stdout: string): { ok: true; data: Record<string, unknown> } | { ok: false; detail: string } {
  // Null-prototype objects throughout, and reserved names refused: a subkey or
  // value called __proto__ must not reach Object.prototype.
  const root: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  let path: string[] | undefined;
  for (const raw of stdout.split(/\r?\n/)) {
    if (raw.trim() === '') continue;
    if (!raw.startsWith(' ')) {
      const key = raw.trim();
      if (!key.toUpperCase().startsWith(LONG_ROOT.toUpperCase())) return { ok: false, detail: `unexpected key ${key.slice(0, 100)}` };
      path = key.slice(LONG_ROOT.length).split('\\').filter((p) => p.length > 0);
      const reserved = path.find((p) => RESERVED_NAMES.has(p));
      if (reserved) return { ok: false, detail: `reserved key name ${reserved}` };
      continue;
    }
    const m = VALUE_LINE.exec(raw);
    if (!m || !path) return { ok: false, detail: 'unreadable reg query output' };
    const [, name, type, text = ''] = m;
    if (name === '(Default)') continue;
    if (RESERVED_NAMES.has(name!)) return { ok: false, detail: `reserved value name ${name}` };
    // An optional text field of an object policy (screenServer) left empty in Group Policy is not set.
    if (type === 'REG_SZ' && text === '' && path.length === 1 && !isTechnicianGroup([...path, name!])) continue;
    const value = convert(type!, text, [...path, name!]);
    if (value === undefined) return { ok: false, detail: `${[...path, name].join('\\')}: unsupported value type ${type}` };
    let target = root;
    for (const p of path) {
      const next = (target[p] ??= Object.create(null)) as Record<string, unknown>;
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
