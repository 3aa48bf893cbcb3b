// The agent's local audit log: hash-chained JSONL, fsynced before append()
// resolves (callers report to the relay only after that), with group commit,
// rotation by size and UTC day, and retention pruning that leaves a record.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, truncateSync } from 'node:fs';
import { mkdir, open, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import { auditFileName, listAuditFiles, parseAuditFileName, utcDay } from './audit-files.js';
import { auditRecordSchema, GENESIS_HASH, recordLine, sealRecord, type AuditFields, type AuditRecord } from '../../protocol/agent-audit-record.js';

/** What the agent needs from an audit log (tests substitute a failing one). */
export interface AuditSink {
  /** Resolves once the record is durable on disk; rejects if it could not be written. */
  append(type: string, fields?: AuditFields): Promise<AuditRecord>;
}

export interface AuditLogOptions {
  dir: string;
  clock: Clock;
  /** Start a new file once the current one reaches this size. */
  maxFileBytes?: number;
  /** Days files are kept; values below 30 are raised to 30. */
  retentionDays?: number;
}

export const MIN_RETENTION_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

interface Pending {
  type: string;
  fields: AuditFields;
  resolve: (r: AuditRecord) => void;
  reject: (e: Error) => void;
}

export class AuditUnavailableError extends Error {
  readonly code = 'audit-unavailable';
}

export class AuditLog implements AuditSink {
  private seq = 0;
  private prevHash = GENESIS_HASH;
  private handle: FileHandle | undefined;
  private file: string | undefined;
  private size = 0;
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;
  /** A torn last line dropped on open (never acknowledged, so never reported): its size and sha256. */
  private recovered: TornTail | undefined;

  private constructor(private readonly opts: Required<AuditLogOptions>) {}

  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const log = new AuditLog({ maxFileBytes: 8 * 1024 * 1024, retentionDays: 90, ...options });
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    log.resume();
    const torn = log.recovered;
    if (torn) {
      const reason = 'torn last line from an interrupted write';
      await log.append('audit.recovered', { droppedBytes: torn.bytes, droppedSha256: torn.sha256, file: torn.file, reason });
    }
    return log;
  }

  get lastSeq(): number {
    return this.seq;
  }

  get dir(): string {
    return this.opts.dir;
  }

  append(type: string, fields: AuditFields = {}): Promise<AuditRecord> {
    if (this.closed) return Promise.reject(new AuditUnavailableError('audit log is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ type, fields, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    this.closed = true;
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Delete files older than the retention period, after recording what goes. Returns the deleted names. */
  async prune(): Promise<string[]> {
    const days = Math.max(MIN_RETENTION_DAYS, this.opts.retentionDays);
    const cutoff = utcDay(this.opts.clock.now() - days * DAY_MS);
    const files = listAuditFiles(this.opts.dir);
    const doomed = files.filter((f) => f !== this.file && f !== files[files.length - 1] && (parseAuditFileName(f)?.day ?? '9999') < cutoff);
    if (doomed.length === 0) return [];
    const newest = doomed[doomed.length - 1]!;
    const last = lastRecordIn(join(this.opts.dir, newest));
    if (!last) return [];
    await this.append('retention.pruned', { files: doomed, lastPrunedHash: last.hash, lastPrunedSeq: last.seq, retentionDays: days });
    for (const f of doomed) await rm(join(this.opts.dir, f), { force: true });
    return doomed;
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        await this.writeBatch(batch);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** One write + one fsync for every record queued meanwhile (group commit). */
  private async writeBatch(batch: Pending[]): Promise<void> {
    const ts = new Date(this.opts.clock.now()).toISOString();
    let seq = this.seq;
    let prev = this.prevHash;
    const records = batch.map((p) => {
      const r = sealRecord(++seq, ts, p.type, p.fields, prev);
      prev = r.hash;
      return r;
    });
    const text = records.map(recordLine).join('');
    let sizeBefore = 0;
    try {
      const handle = await this.currentHandle(ts.slice(0, 10));
      sizeBefore = this.size;
      await writeFully(handle, Buffer.from(text));
      await handle.sync();
      this.size += Buffer.byteLength(text);
    } catch (err) {
      this.undoPartialWrite(sizeBefore);
      const error = new AuditUnavailableError(`audit log could not be written: ${(err as Error).message}`);
      for (const p of batch) p.reject(error);
      return;
    }
    this.seq = seq;
    this.prevHash = prev;
    records.forEach((r, i) => batch[i]!.resolve(r));
  }

  private undoPartialWrite(size: number): void {
    if (!this.file) return;
    try {
      truncateSync(join(this.opts.dir, this.file), size);
    } catch {
      // Nothing more we can do; verify will report the torn line.
    }
  }

  private async currentHandle(day: string): Promise<FileHandle> {
    const cur = this.file ? parseAuditFileName(this.file) : undefined;
    if (this.handle && cur && cur.day === day && this.size < this.opts.maxFileBytes) return this.handle;
    await this.handle?.close();
    this.handle = undefined;
    const index = cur && cur.day === day ? cur.index + 1 : 1;
    const name = auditFileName(day, index);
    const handle = await open(join(this.opts.dir, name), 'a', 0o600);
    this.file = name;
    this.size = (await stat(join(this.opts.dir, name))).size;
    syncDir(this.opts.dir);
    this.handle = handle;
    return handle;
  }

  /** Continue the chain from the newest file; drop a torn last line left by a crash. */
  private resume(): void {
    const files = listAuditFiles(this.opts.dir);
    for (let i = files.length - 1; i >= 0; i--) {
      const path = join(this.opts.dir, files[i]!);
      if (i === files.length - 1) this.recovered = dropTornTail(path, files[i]!);
      const last = lastRecordIn(path);
      if (last) {
        this.seq = last.seq;
        this.prevHash = last.hash;
        break;
      }
    }
    // Always start a fresh file after a restart: the old file is never appended to again.
    const newest = files[files.length - 1];
    if (newest) {
      this.file = newest;
      this.size = Number.MAX_SAFE_INTEGER;
    }
  }
}

/**
 * A short write (file size limit, disk nearly full) is not an error to the OS;
 * keep writing the rest so the failure surfaces and nothing half-written is
 * ever acknowledged.
 */
async function writeFully(handle: FileHandle, buf: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buf.length) {
    const { bytesWritten } = await handle.write(buf, offset, buf.length - offset);
    if (bytesWritten <= 0) throw new Error(`short write: ${offset} of ${buf.length} bytes`);
    offset += bytesWritten;
  }
}

function lastRecordIn(path: string): AuditRecord | undefined {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const parsed = auditRecordSchema.safeParse(JSON.parse(lines[i]!));
      if (parsed.success) return parsed.data;
    } catch {
      // keep looking backwards
    }
  }
  return undefined;
}

interface TornTail {
  file: string;
  bytes: number;
  /** sha256 of the dropped bytes, so an auditor can match them to a copy taken before the restart. */
  sha256: string;
}

function dropTornTail(path: string, file: string): TornTail | undefined {
  const content = readFileSync(path);
  if (content.length === 0 || content[content.length - 1] === 0x0a) return undefined;
  const keep = content.lastIndexOf(0x0a) + 1;
  const dropped = content.subarray(keep);
  const sha256 = createHash('sha256').update(dropped).digest('hex');
  truncateSync(path, keep);
  return { file, bytes: dropped.length, sha256 };
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms can't fsync a directory; the file fsync still holds.
  }
}
