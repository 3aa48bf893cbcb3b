// The replay cache on disk: append-only (one fsynced line per nonce), compacted
// now and then through a temp file, tolerant of a torn last line, still loading
// the older one-object files, and a failed write is an error the caller declines on.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplayCache, ReplayCacheWriteError } from '../../src/core/verification/replay-cache.js';
import { FakeClock } from './fake-clock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function cachePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pl-replay-'));
  dirs.push(dir);
  return join(dir, 'replay-cache.json');
}
const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');

describe('replay cache file', () => {
  it('appends exactly one line per remembered nonce', () => {
    const path = cachePath();
    const clock = new FakeClock();
    const cache = ReplayCache.open(path, clock, { compactAfterLines: 1000 });
    cache.remember('first', clock.now() + 60_000);
    const before = lines(path).length;
    const sizeBefore = statSync(path).size;
    for (let i = 0; i < 10; i++) cache.remember(`n-${i}`, clock.now() + 60_000);
    expect(lines(path).length).toBe(before + 10);
    // Appending never rewrites what is there: the old bytes are a prefix of the new file.
    expect(statSync(path).size).toBeGreaterThan(sizeBefore);
    const reopened = ReplayCache.open(path, clock);
    for (let i = 0; i < 10; i++) expect(reopened.isFresh(`n-${i}`, clock.now())).toBe(false);
    expect(reopened.isFresh('first', clock.now())).toBe(false);
  });

  it('compacts through a temp file so the file stays bounded by the live nonces', () => {
    const path = cachePath();
    const clock = new FakeClock();
    const cache = ReplayCache.open(path, clock, { compactAfterLines: 50 });
    for (let i = 0; i < 600; i++) {
      cache.remember(`n-${i}`, clock.now() + 10_000);
      clock.advance(1000);
    }
    // About 10 nonces are alive at any time: the file holds a snapshot plus at most 50 appended lines.
    expect(lines(path).length).toBeLessThanOrEqual(51);
    const reopened = ReplayCache.open(path, clock);
    expect(reopened.isFresh('n-599', clock.now())).toBe(false);
    expect(reopened.isFresh('n-0', clock.now())).toBe(true);
  });

  it('tolerates a torn last line (a crash mid-append) and keeps every complete line', () => {
    const path = cachePath();
    const clock = new FakeClock();
    const cache = ReplayCache.open(path, clock);
    cache.remember('kept', clock.now() + 60_000);
    appendFileSync(path, '{"n":"torn","e":12');
    const reopened = ReplayCache.open(path, clock);
    expect(reopened.isFresh('kept', clock.now())).toBe(false);
    expect(reopened.isFresh('other', clock.now() - 1)).toBe(true);
    // The next write repairs the file: it loads cleanly afterwards.
    reopened.remember('after', clock.now() + 60_000);
    const again = ReplayCache.open(path, clock);
    expect(again.isFresh('after', clock.now())).toBe(false);
    expect(again.isFresh('kept', clock.now())).toBe(false);
    expect(again.isFresh('other', clock.now() - 1)).toBe(true);
  });

  it('treats a damaged line in the middle as a corrupt cache (nothing issued before the load is trusted)', () => {
    const path = cachePath();
    const clock = new FakeClock();
    const cache = ReplayCache.open(path, clock);
    cache.remember('a', clock.now() + 60_000);
    appendFileSync(path, 'garbage\n');
    cache.remember('b', clock.now() + 60_000);
    const reopened = ReplayCache.open(path, clock);
    expect(reopened.isFresh('c', clock.now() - 1)).toBe(false);
    expect(reopened.isFresh('c', clock.now())).toBe(true);
  });

  it('loads a cache file written by the earlier whole-file format', () => {
    const path = cachePath();
    const clock = new FakeClock();
    const until = clock.now() + 60_000;
    writeFileSync(path, JSON.stringify({ v: 1, notBefore: 0, entries: { old: until } }));
    const cache = ReplayCache.open(path, clock);
    expect(cache.isFresh('old', clock.now())).toBe(false);
    expect(cache.isFresh('new', 1)).toBe(true);
    cache.remember('new', until);
    const reopened = ReplayCache.open(path, clock);
    expect(reopened.isFresh('old', clock.now())).toBe(false);
    expect(reopened.isFresh('new', clock.now())).toBe(false);
  });

  it('throws a typed write error when the file cannot be written', () => {
    const path = cachePath();
    const clock = new FakeClock();
    const cache = ReplayCache.open(path, clock);
    cache.remember('ok', clock.now() + 60_000);
    rmSync(path);
    mkdirSync(path);
    expect(() => cache.remember('lost', clock.now() + 60_000)).toThrow(ReplayCacheWriteError);
  });
});
