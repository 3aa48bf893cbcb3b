// Agent audit log: append rate with fsync (one writer waiting for each record,
// and many concurrent writers sharing a group commit) and verify rate.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../src/core/audit/audit-log.js';
import { verifyAuditLog } from '../src/core/audit/verify.js';
import { systemClock } from '../src/shared/clock.js';
import { rounds } from './bench-options.js';
import type { BenchRow } from './stats.js';

const SEQUENTIAL = rounds(2_000);
const CONCURRENT = rounds(50_000);
const CONCURRENCY = 256;
const VERIFY_RECORDS = rounds(200_000);

const fields = (i: number) => ({ requestId: `req-${i}`, ticketId: 'INC-BENCH', technician: 'alice', scopes: ['view', 'control'] });

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

async function verifyRate(count: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-verify-'));
  const log = await AuditLog.open({ dir, clock: systemClock });
  for (let i = 0; i < count; i += 2_000) await Promise.all(Array.from({ length: 2_000 }, (_, j) => log.append('session.request', fields(i + j))));
  await log.close();
  const t0 = performance.now();
  const result = verifyAuditLog(dir);
  const seconds = (performance.now() - t0) / 1000;
  if (!result.ok || result.records !== count) throw new Error(`verify failed on a clean log: ${JSON.stringify(result.problem)}`);
  rmSync(dir, { recursive: true, force: true });
  return count / seconds;
}

export async function runAuditBench(): Promise<BenchRow[]> {
  return [
    { name: 'audit append, one record per fsync', unit: 'events/s', value: await appendRate(SEQUENTIAL, 1), samples: SEQUENTIAL },
    { name: `audit append, ${CONCURRENCY} concurrent writers (group commit)`, unit: 'events/s', value: await appendRate(CONCURRENT, CONCURRENCY), samples: CONCURRENT },
    { name: `audit verify (${VERIFY_RECORDS} records, sha256 chain)`, unit: 'events/s', value: await verifyRate(VERIFY_RECORDS), target: '>= 200k events/s', samples: VERIFY_RECORDS },
  ].map((r) => (r.target ? { ...r, met: r.value >= 200_000 } : r));
}
