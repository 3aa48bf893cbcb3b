// The device key survives a crash while it was being created: a stale
// device-key.json.tmp (crash between write and rename) doesn't stop the agent.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEVICE_KEY_FILE, loadOrCreateDeviceKey } from '../../src/core/identity/device-key.js';
import { startHarness, type Harness } from './agent-harness.js';

let h: Harness | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function crashedDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pl-device-key-'));
  dirs.push(dir);
  writeFileSync(join(dir, `${DEVICE_KEY_FILE}.tmp`), '{"v":1,"publicKey":"half-writ', { mode: 0o644 });
  return dir;
}

describe('device key after a crash during creation', () => {
  it('creates the key over a stale tmp file, owner-only', () => {
    const dir = crashedDir();
    const pair = loadOrCreateDeviceKey(dir);
    const path = join(dir, DEVICE_KEY_FILE);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ v: 1, ...pair });
    expect(existsSync(`${path}.tmp`)).toBe(false);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadOrCreateDeviceKey(dir)).toEqual(pair);
  });

  it('the agent starts and connects', async () => {
    h = await startHarness({ dataDir: crashedDir() });
    expect(h.agent.status().connection).toBe('connected');
  });
});
