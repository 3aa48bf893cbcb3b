// `porchlight audit verify` and `porchlight audit export` through the built
// CLI, on real audit files written by the agent's AuditLog: exit codes and the
// file/line/seq/reason a person needs to find what was changed.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../src/core/audit/audit-log.js';
import { listAuditFiles } from '../../src/core/audit/audit-files.js';
import { FakeClock } from '../core/fake-clock.js';
import { ensureBuilt, runCli } from './built-cli.js';

beforeAll(ensureBuilt, 120_000);

/** Ten records about three tickets; small maxFileBytes rotates into several files. */
async function writeLog(maxFileBytes?: number): Promise<{ dir: string; files: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-audit-cli-'));
  const log = await AuditLog.open({ dir, clock: new FakeClock(), ...(maxFileBytes ? { maxFileBytes } : {}) });
  for (let i = 1; i <= 10; i++) await log.append(i % 2 ? 'request.received' : 'consent.decision', { requestId: `req-${i}`, ticketId: `INC${i % 3}`, outcome: i % 2 ? undefined : 'accepted' });
  await log.close();
  return { dir, files: listAuditFiles(dir) };
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n');

describe('porchlight audit verify', () => {
  it('exits 0 on an intact log and says how much it checked', async () => {
    const { dir } = await writeLog();
    const r = await runCli(['audit', 'verify', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^intact: 10 records in 1 files \(last seq 10\)/);
  });

  it('exits 4 with "no audit files in DIR" for a directory without audit files (a deleted log)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pl-audit-empty-'));
    writeFileSync(join(empty, 'notes.txt'), 'not an audit file\n');
    const r = await runCli(['audit', 'verify', empty]);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(`error: no-audit-files: no audit files in ${empty}\n`);
    expect(r.stdout).not.toContain('intact');
    rmSync(empty, { recursive: true, force: true });
  });

  it('exits 5 naming a path that does not exist or is not a directory (a wrong path is not an empty log)', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'pl-audit-path-'));
    writeFileSync(join(parent, 'file.txt'), 'x\n');
    const missing = await runCli(['audit', 'verify', join(parent, 'no-such-dir')]);
    expect([missing.code, missing.stderr]).toEqual([5, `error: no-such-dir: ${join(parent, 'no-such-dir')} does not exist\n`]);
    const file = await runCli(['audit', 'verify', join(parent, 'file.txt')]);
    expect([file.code, file.stderr]).toEqual([5, `error: not-a-directory: ${join(parent, 'file.txt')} is not a directory\n`]);
    rmSync(parent, { recursive: true, force: true });
  });

  it('reads the directory from PORCHLIGHT_AUDIT_DIR when none is given', async () => {
    const { dir } = await writeLog();
    expect((await runCli(['audit', 'verify'], { PORCHLIGHT_AUDIT_DIR: dir })).code).toBe(0);
  });

  it('exits 1 naming file, line, seq and reason when a byte in the middle was changed', async () => {
    const { dir, files } = await writeLog();
    const file = join(dir, files[0]!);
    const l = lines(file);
    l[4] = l[4]!.replace('"req-5"', '"req-X"');
    writeFileSync(file, l.join('\n'));
    const r = await runCli(['audit', 'verify', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`TAMPERED: ${files[0]} line 5 (seq 5): tampered: record hash does not match its content`);
  });

  it('reports a torn last line distinctly (exit 3), not as tampering', async () => {
    const { dir, files } = await writeLog();
    const file = join(dir, files[0]!);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, text.length - 40));
    const r = await runCli(['audit', 'verify', dir]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^torn tail: ${files[0]} line 10 \\(seq 10\\): torn-tail: `));
    expect(r.stderr).toContain('9 records before it verify');
    expect(r.stderr).not.toContain('TAMPERED');
  });

  it('treats a cut line that is not the last one as tampering', async () => {
    const { dir, files } = await writeLog();
    const file = join(dir, files[0]!);
    const l = lines(file);
    l[2] = l[2]!.slice(0, 30);
    writeFileSync(file, l.join('\n'));
    const r = await runCli(['audit', 'verify', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${files[0]} line 3 (seq 3): tampered: line is not valid JSON`);
  });

  it('detects a deleted record', async () => {
    const { dir, files } = await writeLog();
    const file = join(dir, files[0]!);
    const l = lines(file);
    l.splice(6, 1);
    writeFileSync(file, l.join('\n'));
    const r = await runCli(['audit', 'verify', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${files[0]} line 7 (seq 8): missing: records 7..7 are missing`);
  });

  it('detects reordered records', async () => {
    const { dir, files } = await writeLog();
    const file = join(dir, files[0]!);
    const l = lines(file);
    [l[3], l[4]] = [l[4]!, l[3]!];
    writeFileSync(file, l.join('\n'));
    const r = await runCli(['audit', 'verify', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`TAMPERED: ${files[0]} line 4 (seq 5): reordered: seq 5 appears before seq 4 (which is at ${files[0]} line 5)`);
  });

  it('verifies the chain across rotated files, and names the file when one is tampered', async () => {
    const { dir, files } = await writeLog(600);
    expect(files.length).toBeGreaterThan(2);
    const ok = await runCli(['audit', 'verify', dir]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`10 records in ${files.length} files`);
    const second = join(dir, files[1]!);
    const l = lines(second);
    l[0] = l[0]!.replace('"ts":"2026', '"ts":"2025');
    writeFileSync(second, l.join('\n'));
    const r = await runCli(['audit', 'verify', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${files[1]} line 1 \\(seq \\d+\\): tampered`));
  });

  it('detects a whole rotated file removed from the middle of the chain', async () => {
    const { dir, files } = await writeLog(600);
    rmSync(join(dir, files[1]!));
    const r = await runCli(['audit', 'verify', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`TAMPERED: ${files[2]} line 1 \\(seq \\d+\\): missing: records \\d+\\.\\.\\d+ are missing`));
  });

  it('detects the oldest file removed (the chain no longer starts at genesis)', async () => {
    const { dir, files } = await writeLog(600);
    rmSync(join(dir, files[0]!));
    const r = await runCli(['audit', 'verify', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${files[1]} line 1`);
    expect(r.stderr).toMatch(/missing: the log does not start at its first record/);
  });
});

describe('porchlight audit export', () => {
  it('exports one ticket as JSONL that keeps each record and its hash', async () => {
    const { dir, files } = await writeLog(600);
    const r = await runCli(['audit', 'export', '--ticket', 'INC1', '--dir', dir]);
    expect(r.code).toBe(0);
    const out = r.stdout.trim().split('\n');
    const all = files.flatMap((f) => lines(join(dir, f)).filter((x) => x !== ''));
    expect(out).toEqual(all.filter((x) => (JSON.parse(x) as { ticketId: string }).ticketId === 'INC1'));
    expect(out.map((x) => (JSON.parse(x) as { seq: number }).seq)).toEqual([1, 4, 7, 10]);
  });

  it('exports as text for people', async () => {
    const { dir } = await writeLog();
    const r = await runCli(['audit', 'export', '--ticket', 'INC2', '--format', 'text', '--dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^2026-11-24T10:00:00.000Z #2 consent.decision requestId=req-2 ticketId=INC2 outcome=accepted \[[0-9a-f]{12}\]$/),
      expect.stringMatching(/ #5 request.received requestId=req-5 ticketId=INC2 /),
      expect.stringMatching(/ #8 consent.decision /),
    ]);
  });

  it('still exports from a tampered log but warns and exits 1', async () => {
    const { dir, files } = await writeLog();
    const file = join(dir, files[0]!);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"req-9"', '"req-0"'));
    const r = await runCli(['audit', 'export', '--ticket', 'INC0', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toBe('');
    expect(r.stderr).toMatch(/warning: the audit log does not verify: .* line 9 \(seq 9\): tampered/);
  });

  it('exits 2 without --ticket, with an unknown format, or with a ticket that is no ticket id', async () => {
    const { dir } = await writeLog();
    expect((await runCli(['audit', 'export', '--dir', dir])).code).toBe(2);
    for (const bad of ['INC 1', '../etc', 'x'.repeat(65), '']) {
      const r = await runCli(['audit', 'export', '--ticket', bad, '--dir', dir]);
      expect([bad, r.code]).toEqual([bad, 2]);
      if (bad) expect(r.stderr).toContain('is not a ticket id');
    }
    expect((await runCli(['audit', 'export', '--ticket', 'INC1', '--format', 'csv', '--dir', dir])).code).toBe(2);
    expect((await runCli(['audit', 'frobnicate'])).code).toBe(2);
  });
});
