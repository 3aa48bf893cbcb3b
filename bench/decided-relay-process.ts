// The relay of the decided-requests benchmark, in its own process: the data
// dir the coordinator prepared, frame rate limits lifted (the load is the
// point), and `--one-record-per-fsync` for the baseline (every central-audit
// record in its own transaction, as before group commit). Prints its URL; on
// SIGTERM prints how many audit transactions it committed, then exits.
import { join } from 'node:path';
import { DATABASE_FILE } from '../src/relay/data-dir.js';
import { loadOrCreateRelayKey } from '../src/relay/relay-key.js';
import { startRelay } from '../src/relay/server.js';
import { SqliteStorage } from '../src/relay/storage/sqlite-storage.js';

const dir = process.argv[2]!;
const baseline = process.argv.includes('--one-record-per-fsync');
const storage = new SqliteStorage(join(dir, DATABASE_FILE), baseline ? { maxAuditBatch: 1 } : {});
const relayKey = loadOrCreateRelayKey(dir).key;
const relay = await startRelay({
  storage,
  relayKey,
  port: 0,
  rateLimit: { perSecond: 1e6, burst: 1e6, abuseThreshold: 1e6 },
  maxUnauthenticatedPerAddress: 100_000,
  mfa: { require: 'off', groups: [] },
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`listening ${relay.url}\n`);
// Bounded: never outlive the benchmark.
const deadline = setTimeout(() => process.exit(3), 300_000);
process.once('SIGTERM', () => {
  void (async () => {
    await relay.close();
    process.stdout.write(`commits ${storage.auditCommits} records ${(await storage.auditHead())?.seq ?? 0}\n`);
    await storage.close();
    clearTimeout(deadline);
  })();
});
