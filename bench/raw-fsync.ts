// The disk's own floor for the audit rows: write + fsync of exactly the bytes an audit record takes,
// with nothing of ours around it, on the same disk in the same run.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENESIS_HASH, recordLine, sealRecord } from '../src/protocol/agent-audit-record.js';

/** The fields of the benchmark's audit records. */
export const benchAuditFields = (i: number) => ({ requestId: `req-${i}`, ticketId: 'INC-BENCH', technician: 'alice', scopes: ['view', 'control'] });

const recordBytes = (copies: number) => Buffer.from(recordLine(sealRecord(1, new Date().toISOString(), 'session.request', benchAuditFields(123456), GENESIS_HASH)).repeat(copies));

function withFiles<T>(n: number, run: (fds: number[]) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-fsync-'));
  const fds = Array.from({ length: n }, (_, i) => openSync(join(dir, `raw-${i}.jsonl`), 'a', 0o600));
  try {
    return run(fds);
  } finally {
    for (const fd of fds) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Records per second when `perFsync` records' bytes are written and fsynced at a time. */
export function rawFsyncRate(count: number, perFsync: number): number {
  const bytes = recordBytes(perFsync);
  return withFiles(1, ([fd]) => {
    const t0 = performance.now();
    for (let i = 0; i < count; i += perFsync) {
      writeSync(fd!, bytes);
      fsyncSync(fd!);
    }
    return count / ((performance.now() - t0) / 1000);
  });
}

/**
 * Latencies of one record written and fsynced to one file, then to another: the floor of a path that must
 * make a record durable twice in turn (the agent's log, then the relay's central audit).
 */
export function twoFsyncLatencies(count: number): number[] {
  const bytes = recordBytes(1);
  return withFiles(2, ([a, b]) =>
    Array.from({ length: count }, () => {
      const t0 = performance.now();
      writeSync(a!, bytes);
      fsyncSync(a!);
      writeSync(b!, bytes);
      fsyncSync(b!);
      return performance.now() - t0;
    }),
  );
}
