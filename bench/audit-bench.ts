// Agent audit log: append rate with fsync (one writer waiting for each record,
// and many concurrent writers sharing a group commit) and verify rate, each
// against the floor measured in the same run on the same disk: raw write +
// fsync of the same bytes per fsync, and a bare JSON.parse + sha256 loop over
// the same files.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../src/core/audit/audit-log.js';
import { verifyAuditLog } from '../src/core/audit/verify.js';
import { systemClock } from '../src/shared/clock.js';
import { rounds } from './bench-options.js';
import type { BenchRow } from './stats.js';
import { benchAuditFields as fields, rawFsyncRate } from './raw-fsync.js';

const SEQUENTIAL = rounds(2_000);
const CONCURRENT = rounds(50_000);
const CONCURRENCY = 256;
const VERIFY_RECORDS = rounds(200_000);

async function appendRate(count: number, concurrency: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-audit-'));
  const log = await AuditLog.open({ dir, clock: systemClock });
  const t0 = performance.now();
  for (let i = 0; i < count; i += concurrency) {
    await Promise.all(Array.from({ length: Math.min(concurrency, count - i) }, (_, j) => log.append('session.request', fields(i + j))));
  }
  const seconds = (performance.now() - t0) / 1000;
  await log.close();
  rmSync(dir, { recursive: true, force: true });
  return count / seconds;
}

async function verifyRates(count: number): Promise<{ verify: number; bare: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-verify-'));
  const log = await AuditLog.open({ dir, clock: systemClock });
  for (let i = 0; i < count; i += 2_000) await Promise.all(Array.from({ length: 2_000 }, (_, j) => log.append('session.request', fields(i + j))));
  await log.close();
  let t0 = performance.now();
  const result = verifyAuditLog(dir);
  const verify = count / ((performance.now() - t0) / 1000);
  if (!result.ok || result.records !== count) throw new Error(`verify failed on a clean log: ${JSON.stringify(result.problem)}`);
  // The floor: read the same files, JSON.parse and sha256 every line, nothing else.
  t0 = performance.now();
  let parsed = 0;
  for (const file of readdirSync(dir).sort()) {
    for (const text of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (text.length === 0) continue;
      JSON.parse(text);
      createHash('sha256').update(text).digest('hex');
      parsed++;
    }
  }
  const bare = parsed / ((performance.now() - t0) / 1000);
  rmSync(dir, { recursive: true, force: true });
  return { verify, bare };
}

const ratioTo = (value: number, base: number, baseline: string) => ({ ratio: { p50: value / base, p99: value / base, baseline } });

export async function runAuditBench(): Promise<BenchRow[]> {
  const rawOne = rawFsyncRate(SEQUENTIAL, 1);
  const one = await appendRate(SEQUENTIAL, 1);
  const rawGroup = rawFsyncRate(CONCURRENT, CONCURRENCY);
  const group = await appendRate(CONCURRENT, CONCURRENCY);
  const { verify, bare } = await verifyRates(VERIFY_RECORDS);
  const rawOneName = 'raw write + fsync, one audit record per fsync (same disk)';
  const rawGroupName = `raw write + fsync, ${CONCURRENCY} audit records per fsync (same disk)`;
  const bareName = `bare JSON.parse + sha256 per line over the same ${VERIFY_RECORDS} records`;
  return [
    { name: rawOneName, unit: 'events/s', value: rawOne, samples: SEQUENTIAL },
    { name: 'audit append, one record per fsync', unit: 'events/s', value: one, samples: SEQUENTIAL, ...ratioTo(one, rawOne, rawOneName) },
    { name: rawGroupName, unit: 'events/s', value: rawGroup, samples: CONCURRENT },
    { name: `audit append, ${CONCURRENCY} concurrent writers (group commit)`, unit: 'events/s', value: group, samples: CONCURRENT, ...ratioTo(group, rawGroup, rawGroupName) },
    { name: bareName, unit: 'events/s', value: bare, samples: VERIFY_RECORDS },
    { name: `audit verify (${VERIFY_RECORDS} records, sha256 chain)`, unit: 'events/s', value: verify, samples: VERIFY_RECORDS, ...ratioTo(verify, bare, bareName), target: '>= 0.5x the bare loop', met: verify / bare >= 0.5 },
  ];
}
