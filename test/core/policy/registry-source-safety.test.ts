// The Windows policy read can't be hijacked: reg.exe runs by a fixed absolute path,
// and key or value names like __proto__ can't reach Object.prototype.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseRegQuery, regQueryRunner, RegistrySource, type ExecFile } from '../../../src/core/policy/sources/registry-source.js';
import { WINDOWS_REG_EXE } from '../../../src/core/policy/sources/windows-system-paths.js';

const ROOT = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Porchlight';

describe('reg.exe location', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('runs C:\\Windows\\System32\\reg.exe, never a bare reg on the search path nor one under a launcher-set %SystemRoot%', async () => {
    // Whoever starts the app sets its environment (review2 item 3): a planted reg.exe must not become the policy source.
    vi.stubEnv('SystemRoot', 'C:\\Users\\u\\w');
    vi.stubEnv('windir', 'C:\\Users\\u\\w');
    vi.stubEnv('PATH', 'C:\\Users\\u\\bin');
    const files: string[] = [];
    const exec: ExecFile = (file, _args, _opts, done) => {
      files.push(file);
      done(null, `${ROOT}\r\n    promptTimeoutSec    REG_DWORD    0x3c\r\n`, '');
    };
    const read = await new RegistrySource(regQueryRunner(exec)).read();
    expect(read).toMatchObject({ kind: 'found', data: { promptTimeoutSec: 60 } });
    expect(files).toEqual(['C:\\Windows\\System32\\reg.exe']);
    expect(WINDOWS_REG_EXE).toBe('C:\\Windows\\System32\\reg.exe');
  });
});

describe('prototype pollution through reg output', () => {
  afterEach(() => {
    for (const k of ['polluted', 'unattendedAllowed']) delete (Object.prototype as Record<string, unknown>)[k];
  });

  it.each([
    ['a subkey named __proto__', [`${ROOT}\\__proto__`, '    unattendedAllowed    REG_DWORD    0x1', '    polluted    REG_SZ    yes']],
    ['a nested __proto__ subkey', [`${ROOT}\\technicianGroups\\__proto__`, '    polluted    REG_SZ    yes']],
    ['a value named __proto__', [ROOT, '    __proto__    REG_SZ    yes']],
    ['a subkey named constructor', [`${ROOT}\\constructor\\prototype`, '    polluted    REG_SZ    yes']],
  ])('%s is refused and pollutes nothing', (_what, lines) => {
    const parsed = parseRegQuery([...lines, ''].join('\r\n'));
    expect(parsed).toMatchObject({ ok: false, detail: expect.stringMatching(/^reserved (key|value) name /) });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).unattendedAllowed).toBeUndefined();
  });

  it('builds objects with no prototype, so an inherited name reads as absent', () => {
    const parsed = parseRegQuery([`${ROOT}\\rateLimit`, '    prompts    REG_DWORD    0x3', ''].join('\r\n'));
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(Object.getPrototypeOf(parsed.data)).toBeNull();
    expect(Object.getPrototypeOf(parsed.data.rateLimit)).toBeNull();
    expect(parsed.data).toEqual({ rateLimit: { prompts: 3 } });
  });
});
