// src/main/main.ts with the IT config's relayCaFile: the desktop app reaches
// a wss:// relay whose certificate only that private CA vouches for (no
// NODE_EXTRA_CA_CERTS). Only the 'electron' module is faked, as in main-wiring.test.ts.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { hasOpenssl, selfSigned } from '../relay/self-signed-cert.js';
import { fake } from './fake-electron.js';
import { waitUntilOnline } from '../support/wait-until-online.js';

vi.mock('electron', async () => (await import('./fake-electron.js')).electronModule);
vi.mock('../../src/main/settings-store.js', async () => {
  const { jsonFileBackend } = await import('./json-file-settings.js');
  return { electronStoreBackend: (dir: string) => jsonFileBackend(join(dir, 'settings.json')) };
});

const root = new URL('../..', import.meta.url).pathname;
const deviceId = 'desktop-private-ca';
const PATIENT = { timeout: 20_000, interval: 20 };
let relay: TestRelay | undefined;
const logLines: string[] = [];
const realStderrWrite = process.stderr.write.bind(process.stderr);

describe.skipIf(!hasOpenssl)('desktop app with relayCaFile in the IT config', () => {
  beforeAll(async () => {
    process.stderr.write = ((chunk: string | Uint8Array) => (logLines.push(String(chunk)), true)) as typeof process.stderr.write;
    const tmp = mkdtempSync(join(tmpdir(), 'pl-main-ca-'));
    const tls = selfSigned();
    relay = await startTestRelay({ tls: { cert: tls.cert, key: tls.key } });
    const config = join(tmp, 'agent.json');
    writeFileSync(config, JSON.stringify({ deviceId, enrollmentToken: await relay.enroll(deviceId), dataDir: join(tmp, 'data'), relayCaFile: tls.certFile, policy: { relayUrl: relay.relay.url, relayPublicKey: relay.relayKey.publicKey } }));
    vi.stubEnv('PORCHLIGHT_AGENT_CONFIG', config);
    fake.app.userData = join(tmp, 'userData');
    mkdirSync(fake.app.userData);
    fake.app.appPath = root;
    await import('../../src/main/main.js');
  }, 60_000);

  afterAll(async () => {
    process.stderr.write = realStderrWrite;
    await relay?.close();
  });

  it('connects to the TLS relay through the private CA and says so in the tray', async () => {
    expect(relay!.relay.url).toMatch(/^wss:\/\//);
    await waitUntilOnline(relay!.relay, deviceId);
    await vi.waitFor(() => expect(fake.Tray.last?.tooltip).toMatch(/^Porchlight: Connected to 127\.0\.0\.1:\d+$/), PATIENT);
    expect(logLines.filter((l) => /config: /.test(l))).toEqual([]);
  });

  it('quits cleanly', async () => {
    const event = { prevented: false, preventDefault: () => (event.prevented = true) };
    fake.app.emit('before-quit', event);
    await vi.waitFor(() => expect(fake.app.quitCalls).toBe(1), PATIENT);
    await vi.waitFor(() => expect(relay!.relay.router.isOnline(deviceId)).toBe(false), PATIENT);
  });
});
