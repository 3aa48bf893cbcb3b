// Where a stream stands, kept in the relay data dir (stream/<name>.json): the
// last central audit seq it counts as delivered, and its running counts. The
// records after it are the stream's queue: they wait in the central audit itself,
// which is already durable, so a lost receiver or a relay restart loses nothing.
// Written by rename after fsync, so a crash leaves the old or the new state.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const cursorFile = z.strictObject({
  seq: z.number().int().min(0),
  sent: z.number().int().min(0),
  resent: z.number().int().min(0),
  skipped: z.number().int().min(0),
});
export type StreamCounts = z.infer<typeof cursorFile>;

export class StreamCursor {
  private readonly path: string;
  private state: StreamCounts;
  private dirty = false;

  private constructor(path: string, state: StreamCounts) {
    this.path = path;
    this.state = state;
  }

  /** A stream seen for the first time starts at `headSeq`: it carries what happens from now on. */
  static open(dataDir: string, name: string, headSeq: number, log: (line: string) => void): StreamCursor {
    const dir = join(dataDir, 'stream');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${name}.json`);
    let raw: string | undefined;
    try {
      raw = readFileSync(path, 'utf8');
    } catch {
      raw = undefined;
    }
    if (raw !== undefined) {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      const parsed = cursorFile.safeParse(json);
      if (parsed.success) return new StreamCursor(path, parsed.data);
      log(`relay: ${path} is not a stream cursor; ${name} starts again at the audit head (seq ${headSeq})`);
    }
    const cursor = new StreamCursor(path, { seq: headSeq, sent: 0, resent: 0, skipped: 0 });
    cursor.dirty = true;
    cursor.save();
    return cursor;
  }

  get seq(): number {
    return this.state.seq;
  }

  get counts(): Readonly<StreamCounts> {
    return this.state;
  }

  delivered(seq: number, count: number): void {
    this.state = { ...this.state, seq, sent: this.state.sent + count };
    this.dirty = true;
  }

  resent(count: number): void {
    this.state = { ...this.state, resent: this.state.resent + count };
    this.dirty = true;
  }

  /** Records removed by retention before this stream sent them: counted, and the cursor moves past them. */
  skipped(toSeq: number | undefined, count: number): void {
    this.state = { ...this.state, seq: toSeq ?? this.state.seq, skipped: this.state.skipped + count };
    this.dirty = true;
  }

  save(): void {
    if (!this.dirty) return;
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(this.state)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.dirty = false;
  }
}
