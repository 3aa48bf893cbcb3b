// `--audit-jsonl FILE`: one JSON line per central audit record, appended in
// chain order for a log shipper (Filebeat, Vector, Fluent Bit). fsync policy:
// each batch (up to 200 lines) is written with one append and fsynced before
// the cursor moves past it, so a crash repeats at most that batch (at least
// once; `seq` tells a duplicate). A file moved away by logrotate is noticed
// (its inode changes) and a new one is started at the same path.
import { closeSync, fstatSync, ftruncateSync, fsyncSync, openSync, statSync, writeSync } from 'node:fs';
import type { RelayStorage } from '../storage/storage.js';
import { readAfter } from './audit-tail.js';
import { Backoff } from './backoff.js';
import type { StreamCursor } from './stream-cursor.js';
import { streamRecord } from './stream-record.js';
import { StreamPause } from './stream-pause.js';

export interface JsonlStreamOptions {
  path: string;
  storage: RelayStorage;
  cursor: StreamCursor;
  log: (line: string) => void;
  idlePollMs?: number;
}

export class JsonlStream {
  private fd: number | undefined;
  private stopped = false;
  private failing = false;
  private readonly pauses = new StreamPause();
  private loop: Promise<void> = Promise.resolve();
  private readonly backoff = new Backoff({ firstMs: 250, maxMs: 30_000 });

  constructor(private readonly o: JsonlStreamOptions) {}

  start(): void {
    this.loop = this.run();
  }

  wake(): void {
    this.pauses.wakeUp();
  }

  /** Write what is there now, then stop. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pauses.interrupt();
    await this.loop;
    await this.drain().catch(() => undefined);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let wrote: boolean;
      try {
        wrote = await this.drain();
        if (this.failing) this.o.log(`relay: audit JSONL ${this.o.path} writable again after ${this.backoff.attempts} failed attempts`);
        this.failing = false;
        this.backoff.reset();
      } catch (err) {
        const attempt = this.backoff.attempts + 1;
        const delay = this.backoff.next();
        if (attempt === 1 || attempt % 10 === 0) {
          this.o.log(`relay: audit JSONL ${this.o.path} not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}, attempt ${attempt}); records after seq ${this.o.cursor.seq} wait in the central audit; retrying in ${delay} ms`);
        }
        this.failing = true;
        if (this.fd !== undefined) closeSync(this.fd);
        this.fd = undefined;
        await this.pauses.sleep(delay, false, this.stopped);
        continue;
      }
      if (!wrote) await this.pauses.sleep(this.o.idlePollMs ?? 250, true, this.stopped);
    }
  }

  /** One batch: true if it wrote anything. */
  private async drain(): Promise<boolean> {
    const read = await readAfter(this.o.storage, this.o.cursor.seq);
    if (read.gap) {
      const count = read.gap.toSeq - read.gap.fromSeq + 1;
      this.o.log(`relay: audit JSONL ${this.o.path}: central audit records ${read.gap.fromSeq}..${read.gap.toSeq} (${count}) were removed by retention before they were written`);
      this.o.cursor.skipped(read.gap.toSeq, count);
      this.o.cursor.save();
    }
    if (read.records.length === 0) return false;
    const fd = this.file();
    const text = read.records.map((r) => `${JSON.stringify(streamRecord(r))}\n`).join('');
    const before = fstatSync(fd).size;
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } catch (err) {
      // No half line left behind for the shipper: the batch is written again whole.
      try {
        ftruncateSync(fd, before);
      } catch {
        // The file is unusable; it is reopened on the next attempt.
      }
      throw err;
    }
    this.o.cursor.delivered(read.records.at(-1)!.seq, read.records.length);
    this.o.cursor.save();
    return true;
  }

  private file(): number {
    if (this.fd !== undefined) {
      let rotated: boolean;
      try {
        rotated = statSync(this.o.path).ino !== fstatSync(this.fd).ino;
      } catch {
        rotated = true;
      }
      if (!rotated) return this.fd;
      closeSync(this.fd);
      this.fd = undefined;
    }
    this.fd = openSync(this.o.path, 'a', 0o600);
    return this.fd;
  }
}
