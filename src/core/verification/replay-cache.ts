// Nonces of signed requests already seen, kept until the request would have
// expired anyway, persisted so a restart can't be used to replay. A lost or
// corrupt cache file makes every request issued before the load suspect.
//
// On disk: line 1 is a snapshot `{v:1, notBefore, entries}` (the whole file in
// the earlier format), then one fsynced line per remembered nonce, so a request
// costs one small append. Every so often the file is compacted: the snapshot is
// written to a temp file, fsynced and renamed over it.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { z } from 'zod';
import type { Clock } from '../../shared/clock.js';

const snapshotSchema = z.strictObject({
  v: z.literal(1),
  /** Requests issued before this (ms) are rejected: their nonces may have been lost. */
  notBefore: z.number().int().min(0),
  entries: z.record(z.string().max(80), z.number().int()),
});
const appendedSchema = z.union([
  z.strictObject({ n: z.string().max(80), e: z.number().int() }),
  z.strictObject({ notBefore: z.number().int().min(0) }),
]);

export const MAX_REPLAY_ENTRIES = 50_000;
/** Compact once this many lines were appended since the last snapshot (and more than there are live nonces). */
export const COMPACT_AFTER_LINES = 4096;

/** The cache could not be made durable: the caller must decline (a replay can't be ruled out). */
export class ReplayCacheWriteError extends Error {
  readonly code = 'replay-cache-unwritable';
  constructor(cause: unknown) {
    super(`replay cache could not be written: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export interface ReplayCacheOptions {
  compactAfterLines?: number;
}

export class ReplayCache {
  private entries = new Map<string, number>();
  private notBefore = 0;
  private appendedLines = 0;
  /** The file is not a clean sequence of whole lines (old format, torn tail, damage): rewrite before appending. */
  private mustCompact = false;

  private constructor(
    private readonly path: string,
    private readonly clock: Clock,
    private readonly compactAfterLines: number,
  ) {}

  static open(path: string, clock: Clock, o: ReplayCacheOptions = {}): ReplayCache {
    const cache = new ReplayCache(path, clock, o.compactAfterLines ?? COMPACT_AFTER_LINES);
    let text: string | undefined;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') cache.distrustEarlier();
      else cache.mustCompact = true; // the first write lays down the snapshot line
    }
    if (text !== undefined) cache.load(text);
    return cache;
  }

  /** True if a request issued at `issuedAtMs` with this nonce may be fresh. */
  isFresh(nonce: string, issuedAtMs: number): boolean {
    const until = this.entries.get(nonce);
    if (until !== undefined && until >= this.clock.now()) return false;
    return issuedAtMs >= this.notBefore;
  }

  /** Remember a nonce until `expiresAtMs`, durably before returning; throws ReplayCacheWriteError if it can't. */
  remember(nonce: string, expiresAtMs: number): void {
    const now = this.clock.now();
    for (const [k, v] of this.entries) if (v < now) this.entries.delete(k);
    const lines: string[] = [];
    if (this.entries.size >= MAX_REPLAY_ENTRIES) {
      // Full: forget the oldest but refuse anything issued before now, so nothing forgotten can come back.
      const excess = this.entries.size - MAX_REPLAY_ENTRIES + 1;
      const oldest = [...this.entries.entries()].sort((a, b) => a[1] - b[1]).slice(0, excess);
      for (const [k] of oldest) this.entries.delete(k);
      this.notBefore = now;
      lines.push(JSON.stringify({ notBefore: now }));
    }
    this.entries.set(nonce, expiresAtMs);
    lines.push(JSON.stringify({ n: nonce, e: expiresAtMs }));
    try {
      if (this.mustCompact || this.appendedLines + lines.length > Math.max(this.compactAfterLines, this.entries.size)) {
        this.compact();
      } else {
        this.append(lines);
      }
    } catch (err) {
      throw new ReplayCacheWriteError(err);
    }
  }

  private load(text: string): void {
    const lines = text.split('\n');
    const tornTail = !text.endsWith('\n');
    const complete = lines.slice(0, -1);
    const last = tornTail ? lines.at(-1)! : undefined;
    // The earlier format is one snapshot without a newline: that "torn" line is the whole file.
    const candidates = complete.length === 0 && last !== undefined ? [last] : complete;
    this.mustCompact = tornTail;
    const snapshot = snapshotSchema.safeParse(parseJson(candidates[0]));
    if (!snapshot.success) return this.distrustEarlier();
    this.notBefore = snapshot.data.notBefore;
    for (const [k, v] of Object.entries(snapshot.data.entries)) this.entries.set(k, v);
    for (const line of candidates.slice(1)) {
      const entry = appendedSchema.safeParse(parseJson(line));
      if (!entry.success) return this.distrustEarlier();
      if ('n' in entry.data) this.entries.set(entry.data.n, entry.data.e);
      else this.notBefore = Math.max(this.notBefore, entry.data.notBefore);
    }
    // A torn tail is an append that never returned: its request was never decided, so nothing is lost.
    this.appendedLines = candidates.length - 1;
  }

  private distrustEarlier(): void {
    this.notBefore = this.clock.now();
    this.mustCompact = true;
  }

  private append(lines: string[]): void {
    const fd = openSync(this.path, 'a', 0o600);
    try {
      writeSync(fd, `${lines.join('\n')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.appendedLines += lines.length;
  }

  private compact(): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ v: 1, notBefore: this.notBefore, entries: Object.fromEntries(this.entries) })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.appendedLines = 0;
    this.mustCompact = false;
  }
}

function parseJson(line: string | undefined): unknown {
  if (line === undefined) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
