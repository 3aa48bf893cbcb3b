// Defect 3 of issue 13: a failure inside start() must not become an unhandled
// rejection with the process left running and holding the single-instance lock.
import { describe, expect, it } from 'vitest';
import { startWhenReady, type StartableApp } from '../../src/main/start-when-ready.js';

function fakeApp(ready: Promise<unknown> = Promise.resolve()) {
  const calls: string[] = [];
  const log: [string, string][] = [];
  const app: StartableApp = {
    whenReady: () => ready,
    releaseSingleInstanceLock: () => calls.push('release-lock'),
    exit: (code) => calls.push(`exit ${code}`),
  };
  return { app, calls, log, logTo: (e: string, d: string) => log.push([e, d]) };
}

describe('startWhenReady', () => {
  it('runs start once the app is ready, and neither exits nor releases the lock when it succeeds', async () => {
    const t = fakeApp();
    let started = 0;
    await startWhenReady(t.app, async () => void started++, t.logTo);
    expect(started).toBe(1);
    expect(t.calls).toEqual([]);
    expect(t.log).toEqual([]);
  });

  it('a start that rejects: start-failed with the stack, the lock released, then exit 1', async () => {
    const t = fakeApp();
    await startWhenReady(t.app, async () => {
      throw new Error('ENOTDIR: data dir');
    }, t.logTo);
    expect(t.calls).toEqual(['release-lock', 'exit 1']);
    expect(t.log).toEqual([['start-failed', expect.stringMatching(/^Error: ENOTDIR: data dir\n\s+at /)]]);
  });

  it('a start that throws synchronously, or throws a non-Error, fails the same way', async () => {
    const sync = fakeApp();
    await startWhenReady(sync.app, () => {
      throw new TypeError('x is undefined');
    }, sync.logTo);
    expect(sync.calls).toEqual(['release-lock', 'exit 1']);
    const odd = fakeApp();
    await startWhenReady(odd.app, () => Promise.reject('just a string'), odd.logTo);
    expect(odd.calls).toEqual(['release-lock', 'exit 1']);
    expect(odd.log).toEqual([['start-failed', 'just a string']]);
  });

  it('an app that never gets ready fails without running start', async () => {
    const t = fakeApp(Promise.reject(new Error('GPU process failed')));
    let started = false;
    await startWhenReady(t.app, async () => void (started = true), t.logTo);
    expect(started).toBe(false);
    expect(t.calls).toEqual(['release-lock', 'exit 1']);
    expect(t.log[0]![1]).toMatch(/GPU process failed/);
  });
});
