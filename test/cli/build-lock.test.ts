// The build lock in built-cli.ts: a lock left by a run that died is taken over, a live one is not.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STALE_LOCK_MS, staleLockReason, takeLock } from './built-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pl-lock-'));
const lock = join(dir, '.build-lock');
afterEach(() => rmSync(lock, { recursive: true, force: true }));

describe('build lock', () => {
  it('is not taken while its owner lives', () => {
    expect(takeLock(lock)).toBe(true);
    expect(staleLockReason(lock)).toBeUndefined();
    expect(takeLock(lock)).toBe(false);
  });

  it('takes over a lock whose owner pid is gone', () => {
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), '2147483646');
    expect(staleLockReason(lock)).toMatch(/owner pid 2147483646 is gone/);
    expect(takeLock(lock)).toBe(true);
  });

  it('takes over a lock older than STALE_LOCK_MS even without an owner file', () => {
    mkdirSync(lock);
    const old = new Date(Date.now() - STALE_LOCK_MS - 60_000);
    utimesSync(lock, old, old);
    expect(staleLockReason(lock)).toMatch(/s old/);
    expect(takeLock(lock)).toBe(true);
  });
});
