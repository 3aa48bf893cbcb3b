// src/main/main.ts when its start fails after the app is ready (here: the IT
// config names a data directory that cannot be created). Only the 'electron'
// module is faked, as in main-wiring.test.ts. The failure must not become an
// unhandled rejection with the process left running and holding the lock.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fake } from './fake-electron.js';

vi.mock('electron', async () => (await import('./fake-electron.js')).electronModule);
vi.mock('../../src/main/settings-store.js', async () => {
  const { jsonFileBackend } = await import('./json-file-settings.js');
  return { electronStoreBackend: (dir: string) => jsonFileBackend(join(dir, 'settings.json')) };
});

const root = new URL('../..', import.meta.url).pathname;
const FAST = { timeout: 5_000, interval: 10 };
const logLines: string[] = [];
const realStderrWrite = process.stderr.write.bind(process.stderr);

beforeAll(async () => {
  const collect = (chunk: string | Uint8Array) => (logLines.push(String(chunk)), true);
  process.stderr.write = collect as typeof process.stderr.write;
  const tmp = mkdtempSync(join(tmpdir(), 'pl-main-start-failed-'));
  // A regular file where the data directory's parent should be: mkdir fails with ENOTDIR inside start().
  writeFileSync(join(tmp, 'not-a-dir'), '');
  const config = join(tmp, 'agent.json');
  const dataDir = join(tmp, 'not-a-dir', 'data');
  writeFileSync(config, JSON.stringify({ deviceId: 'start-fails', dataDir, policy: {} }));
  vi.stubEnv('PORCHLIGHT_AGENT_CONFIG', config);
  fake.app.userData = join(tmp, 'userData');
  mkdirSync(fake.app.userData);
  fake.app.appPath = root;
  await import('../../src/main/main.js');
});

afterAll(() => {
  process.stderr.write = realStderrWrite;
});

describe('main process start failure (fake electron module)', () => {
  it('logs start-failed, releases the single-instance lock and exits 1', async () => {
    // The lock goes before the exit: a new launch must not hand over to this dying process.
    const seen = () => ({ lifecycle: fake.app.lifecycle, log: logLines });
    await vi.waitFor(() => expect(seen()).toMatchObject({ lifecycle: ['release-lock', 'exit 1'] }), FAST);
    expect(logLines.filter((l) => / start-failed: /.test(l))).toEqual([expect.stringMatching(/ENOTDIR/)]);
    expect(fake.app.quitCalls).toBe(0);
  });
});
