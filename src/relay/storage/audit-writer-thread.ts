// The central audit's INSERT ... COMMIT (and so its fsync) on a worker thread
// with its own connection to the database file, so the event loop goes on
// reading, checking and forwarding already-committed frames while a batch
// waits for the disk. The main thread chains the records (it owns the
// canonical-JSON hashing); the worker commits a batch only if the head inside
// its transaction is still the head the batch was chained on, and otherwise
// answers with the real head (an admin command in another process appended),
// so the chain stays one line. The worker is source text evaluated in the
// thread: it needs nothing but node:sqlite, and runs the same from src/ and dist/.
import { Worker } from 'node:worker_threads';

export type AuditRow = [number, string, string, string | null, string | null, string | null, string | null, string | null, string, string];
export type ChainHead = { seq: number; hash: string } | null;
export type WriteResult = { ok: true } | { ok: false; head: ChainHead };

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
const headQuery = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
const insert = db.prepare('INSERT INTO audit (seq, at, kind, ticket_id, device_id, technician_id, request_id, session_id, record, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
parentPort.on('message', ({ id, expected, rows }) => {
  try {
    db.exec('BEGIN IMMEDIATE');
    const row = headQuery.get();
    const head = row ? { seq: Number(row.seq), hash: String(row.hash) } : null;
    if ((head === null) !== (expected === null) || (head && (head.seq !== expected.seq || head.hash !== expected.hash))) {
      db.exec('ROLLBACK');
      return parentPort.postMessage({ id, ok: false, head });
    }
    for (const r of rows) insert.run(...r);
    db.exec('COMMIT');
    parentPort.postMessage({ id, ok: true });
  } catch (err) {
    if (db.isTransaction) { try { db.exec('ROLLBACK'); } catch {} }
    parentPort.postMessage({ id, error: { message: String(err && err.message), code: err && err.code, errcode: err && err.errcode, errstr: err && err.errstr } });
  }
});
`;

interface Waiting {
  resolve: (r: WriteResult) => void;
  reject: (err: Error) => void;
}

export class AuditWriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;

  constructor(path: string) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path } });
    // Idle, the thread must not keep the process alive; while a batch is out it must.
    this.worker.unref();
    this.worker.on('message', (m: { id: number; ok?: boolean; head?: ChainHead; error?: { message: string; code?: unknown; errcode?: unknown; errstr?: unknown } }) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) this.worker.unref();
      // The error keeps SQLite's code and errcode, so a full disk is still named as one (audit-write-fault.ts).
      if (m.error) w.reject(Object.assign(new Error(m.error.message), { code: m.error.code, errcode: m.error.errcode, errstr: m.error.errstr }));
      else if (m.ok) w.resolve({ ok: true });
      else w.resolve({ ok: false, head: m.head ?? null });
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', (code) => this.failAll(new Error(`the audit writer thread exited (${code})`)));
  }

  /** Commit `rows`, chained on `expected`: ok, or the head the database really has. */
  write(expected: ChainHead, rows: AuditRow[]): Promise<WriteResult> {
    const id = ++this.nextId;
    return new Promise<WriteResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, expected, rows });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
