import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../../src/core/audit/audit-log.js';
import { verifyAuditLog } from '../../../src/core/audit/verify.js';
import { listAuditFiles } from '../../../src/core/audit/audit-files.js';
import { FakeClock } from '../fake-clock.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pl-audit-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function writeLog(dir: string, n: number, clock = new FakeClock(), maxFileBytes?: number): Promise<AuditLog> {
  const log = await AuditLog.open({ dir, clock, ...(maxFileBytes ? { maxFileBytes } : {}) });
  for (let i = 0; i < n; i++) await log.append('request.received', { requestId: `req-${i}`, ticketId: `INC${i % 3}`, note: 'ü ✓' });
  await log.close();
  return log;
}

function onlyFile(dir: string): string {
  const files = listAuditFiles(dir);
  expect(files).toHaveLength(1);
  return join(dir, files[0]!);
}

describe('audit log', () => {
  it('writes a chain that verifies', async () => {
    const dir = tmp();
    await writeLog(dir, 5);
    const r = verifyAuditLog(dir);
    expect(r).toMatchObject({ ok: true, records: 5, lastSeq: 5 });
    const lines = readFileSync(onlyFile(dir), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0].prevHash).toBe('0'.repeat(64));
    expect(lines[1].prevHash).toBe(lines[0].hash);
  });

  it('commits concurrent appends as one group, in order', async () => {
    const dir = tmp();
    const log = await AuditLog.open({ dir, clock: new FakeClock() });
    const records = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append('x', { i })));
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await log.close();
    expect(verifyAuditLog(dir).ok).toBe(true);
  });

  it('names the record when any byte of any record is altered', async () => {
    const dir = tmp();
    await writeLog(dir, 6);
    const file = onlyFile(dir);
    const original = readFileSync(file);
    const lineOf = (offset: number) => original.subarray(0, offset).toString('latin1').split('\n').length;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: original.length - 1 }), fc.integer({ min: 1, max: 255 }), (offset, delta) => {
        const tampered = Buffer.from(original);
        tampered[offset] = (tampered[offset]! + delta) % 256;
        writeFileSync(file, tampered);
        const r = verifyAuditLog(dir);
        expect(r.ok).toBe(false);
        // A changed newline merges or splits lines; otherwise the very line is named.
        const line = lineOf(offset);
        if (original[offset] === 0x0a) expect([line, line + 1]).toContain(r.problem!.line);
        else expect(r.problem!.line).toBe(line);
        if (r.problem!.kind === 'torn-tail') expect(line).toBe(6);
      }),
      { seed: 4242, numRuns: 400 },
    );
    writeFileSync(file, original);
    expect(verifyAuditLog(dir).ok).toBe(true);
  });

  it('detects a deleted record', async () => {
    const dir = tmp();
    await writeLog(dir, 5);
    const file = onlyFile(dir);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.splice(2, 1);
    writeFileSync(file, lines.join('\n'));
    expect(verifyAuditLog(dir).problem).toMatchObject({ kind: 'missing', line: 3, seq: 4 });
  });

  it('detects reordered records', async () => {
    const dir = tmp();
    await writeLog(dir, 5);
    const file = onlyFile(dir);
    const lines = readFileSync(file, 'utf8').split('\n');
    [lines[1], lines[2]] = [lines[2]!, lines[1]!];
    writeFileSync(file, lines.join('\n'));
    expect(verifyAuditLog(dir).problem).toMatchObject({ kind: 'reordered', line: 2, seq: 3 });
    [lines[3], lines[4]] = [lines[4]!, lines[3]!];
    [lines[1], lines[2]] = [lines[2]!, lines[1]!];
    writeFileSync(file, lines.join('\n'));
    expect(verifyAuditLog(dir).problem).toMatchObject({ kind: 'reordered', line: 4, seq: 5 });
  });

  it('detects deleting the first records', async () => {
    const dir = tmp();
    await writeLog(dir, 4);
    const file = onlyFile(dir);
    writeFileSync(file, readFileSync(file, 'utf8').split('\n').slice(1).join('\n'));
    expect(verifyAuditLog(dir).problem).toMatchObject({ kind: 'missing', line: 1, seq: 2 });
  });

  it('reports a truncated last line as a torn tail, not tampering', async () => {
    const dir = tmp();
    await writeLog(dir, 4);
    const file = onlyFile(dir);
    const content = readFileSync(file, 'utf8');
    writeFileSync(file, content.slice(0, content.length - 30));
    const r = verifyAuditLog(dir);
    expect(r.problem).toMatchObject({ kind: 'torn-tail', line: 4, seq: 4 });
    expect(r.records).toBe(3);
  });

  it('drops a torn tail on restart, records the recovery and keeps the chain', async () => {
    const dir = tmp();
    await writeLog(dir, 3);
    const file = onlyFile(dir);
    const content = readFileSync(file, 'utf8');
    writeFileSync(file, content.slice(0, content.length - 10));
    const log = await AuditLog.open({ dir, clock: new FakeClock() });
    await log.append('after', {});
    await log.close();
    const r = verifyAuditLog(dir);
    expect(r).toMatchObject({ ok: true, records: 4, lastSeq: 4 });
    expect(readFileSync(join(dir, listAuditFiles(dir)[1]!), 'utf8')).toContain('audit.recovered');
  });

  it('rotates by size and links each file to the last hash of the previous one', async () => {
    const dir = tmp();
    await writeLog(dir, 30, new FakeClock(), 1000);
    const files = listAuditFiles(dir);
    expect(files.length).toBeGreaterThan(3);
    const first = readFileSync(join(dir, files[0]!), 'utf8').trim().split('\n');
    const second = readFileSync(join(dir, files[1]!), 'utf8').trim().split('\n');
    expect(JSON.parse(second[0]!).prevHash).toBe(JSON.parse(first[first.length - 1]!).hash);
    expect(verifyAuditLog(dir)).toMatchObject({ ok: true, records: 30, files: files.length });
    // Removing a middle file breaks the chain at the next file.
    rmSync(join(dir, files[1]!));
    expect(verifyAuditLog(dir).problem).toMatchObject({ kind: 'missing', file: files[2], line: 1 });
  });

  it('rotates at the UTC day boundary', async () => {
    const dir = tmp();
    const clock = new FakeClock(Date.parse('2026-11-24T23:59:00Z'));
    const log = await AuditLog.open({ dir, clock });
    await log.append('a', {});
    clock.advance(2 * 60_000);
    await log.append('b', {});
    await log.close();
    expect(listAuditFiles(dir)).toEqual(['audit-2026-11-24-0001.jsonl', 'audit-2026-11-25-0001.jsonl']);
    expect(verifyAuditLog(dir).ok).toBe(true);
  });

  it('prunes past retention, never below 30 days, and the rest still verifies', async () => {
    const dir = tmp();
    const clock = new FakeClock(Date.parse('2026-01-01T12:00:00Z'));
    const log = await AuditLog.open({ dir, clock, retentionDays: 5 });
    for (let day = 0; day < 40; day++) {
      await log.append('day', { day });
      clock.advance(24 * 60 * 60_000);
    }
    const pruned = await log.prune();
    await log.close();
    expect(pruned.length).toBe(10);
    const kept = listAuditFiles(dir);
    expect(kept[0]).toBe('audit-2026-01-11-0001.jsonl');
    expect(verifyAuditLog(dir)).toMatchObject({ ok: true });
    expect(readdirSync(dir)).not.toContain('audit-2026-01-10-0001.jsonl');
  });

  it('rejects appends once closed', async () => {
    const dir = tmp();
    const log = await writeLog(dir, 1);
    await expect(log.append('late', {})).rejects.toMatchObject({ code: 'audit-unavailable' });
  });
});
