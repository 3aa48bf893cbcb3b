// `porchlight approve` through the built CLI: approvals are time-bound, and bad
// input becomes a one-line error with a usage or failure exit code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_APPROVAL_LIFETIME_MS } from '../../src/protocol/index.js';
import { ensureBuilt, runCli } from './built-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pl-approve-'));
const keyFile = join(dir, 'approvals-key.json');
const approve = (over: Record<string, string>) => {
  const args: Record<string, string> = { key: keyFile, device: 'dev-1', technician: 'alice', scopes: 'view', ticket: 'INC-1', reference: 'CHG-1', approver: 'Maria Manager', expires: '60', ...over };
  return runCli(['approve', ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, v])]);
};

beforeAll(async () => {
  await ensureBuilt();
  expect((await runCli(['keys', 'generate', '--approvals', '--out', keyFile])).code).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('porchlight approve: maximum lifetime', () => {
  const maxMinutes = MAX_APPROVAL_LIFETIME_MS / 60_000;

  it('signs an approval valid for exactly the maximum', async () => {
    const r = await approve({ expires: String(maxMinutes) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"sig"');
  });

  it('refuses one valid for longer (minutes or an ISO time), exit 2', async () => {
    const minutes = await approve({ expires: String(maxMinutes + 1) });
    expect(minutes.code).toBe(2);
    expect(minutes.stderr).toContain('approvals are time-bound');
    expect(minutes.stdout).not.toContain('"sig"');
    const iso = await approve({ expires: new Date(Date.now() + MAX_APPROVAL_LIFETIME_MS + 3600_000).toISOString() });
    expect(iso.code).toBe(2);
  });
});

describe('porchlight approve: bad key file', () => {
  it.each([
    ['missing', 'nope.json', '', 'no such file'],
    ['not JSON', 'garbage.json', '{not json', 'not JSON'],
    ['wrong shape', 'shape.json', '{"publicKey":"abc"}', 'key file: publicKey'],
  ])('%s: one clean line, exit 1', async (_what, name, content, why) => {
    const file = join(dir, name);
    if (content) writeFileSync(file, content);
    const r = await approve({ key: file });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: key-file-invalid: ${file}: ${r.stderr.split(`${file}: `)[1]}`);
    expect(r.stderr).toContain(why);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/ZodError|"code":|\n\s+at /);
  });
});

describe('porchlight approve --uses', () => {
  const usesOf = (stdout: string) => (JSON.parse(stdout) as { payload: { uses: number } }).payload.uses;

  it('signs one use by default and N when asked, in the signed payload', async () => {
    expect(usesOf((await approve({})).stdout)).toBe(1);
    const three = await approve({ uses: '3' });
    expect(three.code).toBe(0);
    expect(usesOf(three.stdout)).toBe(3);
    const out = join(dir, 'uses.json');
    const written = await approve({ uses: '2', out });
    expect(written.stdout).toMatch(/, 2 use\(s\)\n/);
  });

  it.each(['0', '101', '-1', '1.5', 'two'])('refuses --uses %s, exit 2, nothing signed', async (uses) => {
    const r = await approve({ uses });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--uses must be a whole number from 1 to 100');
    expect(r.stdout).not.toContain('"sig"');
  });
});
