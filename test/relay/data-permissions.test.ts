// The relay's data stays the owner's: the data dir is 0700 (also when it
// existed before), relay.db and its -wal/-shm are 0600, and a relay key file
// others may read is refused with the chmod that fixes it.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRelayData } from '../../src/relay/relay-data.js';
import { RELAY_KEY_FILE } from '../../src/relay/relay-key.js';
import { ensureBuilt, runCli } from '../cli/built-cli.js';

const mode = (p: string) => statSync(p).mode & 0o777;
const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'pl-relay-perm-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(process.platform === 'win32')('relay data file permissions', () => {
  beforeAll(ensureBuilt, 120_000);

  it('makes an existing data dir 0700 and creates relay.db, -wal and -shm 0600', async () => {
    const dir = join(fresh(), 'data');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const data = openRelayData(dir, {});
    try {
      await data.storage.addEnrollment({ deviceId: 'dev-1', tokenHash: 'x'.repeat(43), createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3600_000).toISOString() });
      expect(mode(dir)).toBe(0o700);
      expect(mode(join(dir, RELAY_KEY_FILE))).toBe(0o600);
      // While the database is open in WAL mode its side files exist.
      for (const f of ['relay.db', 'relay.db-wal', 'relay.db-shm']) {
        expect(existsSync(join(dir, f)), f).toBe(true);
        expect([f, mode(join(dir, f))]).toEqual([f, 0o600]);
      }
    } finally {
      await data.storage.close();
    }
  });

  it('tightens a relay.db left 0644 by an older version', async () => {
    const dir = fresh();
    const first = openRelayData(dir, {});
    await first.storage.close();
    chmodSync(join(dir, 'relay.db'), 0o644);
    const again = openRelayData(dir, {});
    await again.storage.close();
    expect(mode(join(dir, 'relay.db'))).toBe(0o600);
  });

  it('refuses a relay key file others may read, naming chmod 600', async () => {
    const dir = fresh();
    expect((await runCli(['relay', 'enroll-device', '--device', 'dev-1', '--data', dir])).code).toBe(0);
    const keyFile = join(dir, RELAY_KEY_FILE);
    chmodSync(keyFile, 0o644);
    const r = await runCli(['relay', 'enroll-device', '--device', 'dev-2', '--data', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`key-file-exposed: ${keyFile} is readable by others (mode 0644); run: chmod 600 ${keyFile}`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    chmodSync(keyFile, 0o600);
    expect((await runCli(['relay', 'enroll-device', '--device', 'dev-2', '--data', dir])).code).toBe(0);
  });
});
