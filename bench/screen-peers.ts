// Child processes of the screen benchmark, so the relay's and the agent's
// memory can be read apart (/proc/<pid>/status): `relay` starts a real relay
// (SQLite on disk) and enrolls one device and one technician; `agent` starts
// a real agent whose screen gate reaches the given loopback VNC port and
// whose user grants everything at once. Each reports over the IPC channel.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent } from '../src/core/agent.js';
import { DEFAULT_POLICY } from '../src/core/policy/schema.js';
import { DATABASE_FILE } from '../src/relay/data-dir.js';
import { SqliteStorage } from '../src/relay/storage/sqlite-storage.js';
import { startBenchRelay } from './bench-relay.js';

export const BENCH_DEVICE = 'dev-bench-screen';

export type PeerReport =
  | { role: 'relay'; url: string; relayPublicKey: string; technicianToken: string; enrollmentToken: string }
  | { role: 'agent'; connected: true };

const send = (r: PeerReport) => process.send!(r);

async function relay(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-screen-relay-'));
  const bench = await startBenchRelay(new SqliteStorage(join(dir, DATABASE_FILE)));
  const technicianToken = await bench.addTechnician('alice', ['view', 'control']);
  send({ role: 'relay', url: bench.relay.url, relayPublicKey: bench.relayKey.publicKey, technicianToken, enrollmentToken: await bench.enroll(BENCH_DEVICE) });
}

async function agent(url: string, relayPublicKey: string, enrollmentToken: string, vncPort: number): Promise<void> {
  let told = false;
  const a = createAgent({
    deviceId: BENCH_DEVICE,
    dataDir: mkdtempSync(join(tmpdir(), 'pl-bench-screen-agent-')),
    enrollmentToken,
    policy: { ...DEFAULT_POLICY, relayUrl: url, relayPublicKey, screenServer: { host: '127.0.0.1', port: vncPort } },
    ui: {
      setStatus: (s) => {
        if (s.connection === 'connected' && !told) send({ role: 'agent', connected: (told = true) });
      },
      showConsent: async (view) => ({ kind: 'decision', promptId: view.promptId, granted: [...view.scopes] }),
      showBanner: () => undefined,
      hideBanner: () => undefined,
      showSummary: () => undefined,
      notify: () => undefined,
    },
  });
  await a.start();
}

const [role, ...args] = process.argv.slice(2);
if (role === 'relay') await relay();
else if (role === 'agent') await agent(args[0]!, args[1]!, args[2]!, Number(args[3]));
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
