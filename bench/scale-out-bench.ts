// Scale-out benchmarks (issue 22), each against a floor measured in the same run:
// - a bare two-hop ws forwarder (technician -> forwarder -> agent echo -> back): the physical
//   floor of any relayed round trip, for the single-instance route;
// - technician on instance A, agent on instance B over Redis, against the single-instance route;
// - decided requests per second with 100 technicians on A and their devices on B;
// - central-audit appends into PostgreSQL from 1 and from 4 instances.
// Real redis-server and PostgreSQL started for the run (skipped, with a line, where not installed).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { encodeFrame, newMessageId, parseFrame } from '../src/protocol/frame.js';
import { generateEd25519KeyPair } from '../src/protocol/index.js';
import { DeviceSigner } from '../src/core/identity/device-signer.js';
import { BusPeerDirectory } from '../src/relay/bus/bus-peer-directory.js';
import { RedisBus } from '../src/relay/bus/redis-bus.js';
import { PostgresStorage } from '../src/relay/storage/postgres-storage.js';
import { SqliteStorage } from '../src/relay/storage/sqlite-storage.js';
import { connectTechnician } from '../src/cli/technician/technician-client.js';
import { postgresBinDir, startPostgres } from '../test/support/postgres-server.js';
import { redisInstalled, startRedis } from '../test/support/redis-server.js';
import { startBenchRelay, type BenchRelay } from './bench-relay.js';
import { helloAgent, routedRtt } from './relay-bench.js';
import { rounds } from './bench-options.js';
import { latencyRow, stats, type BenchRow } from './stats.js';

interface Pair {
  a: BenchRelay;
  b: BenchRelay;
  close(): Promise<void>;
}

/** Two relay instances on one SQLite file and one relay key, routing over `redisUrl`. */
async function instancePair(redisUrl: string): Promise<Pair> {
  const file = join(mkdtempSync(join(tmpdir(), 'pl-bench-pair-')), 'relay.db');
  const relayKey = generateEd25519KeyPair();
  const parts: Array<{ bus: RedisBus; directory: BusPeerDirectory; relay: BenchRelay }> = [];
  for (const id of ['bench-a', 'bench-b']) {
    const bus = await RedisBus.connect(redisUrl);
    const directory = await BusPeerDirectory.start({ bus, instanceId: `${id}-${newMessageId()}` });
    parts.push({ bus, directory, relay: await startBenchRelay(new SqliteStorage(file), { relayKey, directory }) });
  }
  return {
    a: parts[0]!.relay,
    b: parts[1]!.relay,
    async close() {
      for (const p of parts) {
        await p.directory.close();
        await p.relay.close();
        await p.bus.close();
      }
    },
  };
}

/** Requests decided per second: `technicians` on A, each with its own device on B that declines at once. */
async function decidedPerSecond(pair: Pair, technicians: number, perTechnician: number): Promise<{ perSecond: number; latencies: number[] }> {
  const agents: WebSocket[] = [];
  for (let i = 0; i < technicians; i++) {
    const deviceId = `dev-rate-${i}`;
    const key = generateEd25519KeyPair();
    const ws = await helloAgent(pair.b.relay.url, deviceId, key, `${deviceId}-hello-nonce-01`.padEnd(22, 'x'), await pair.b.enroll(deviceId));
    const signer = new DeviceSigner(deviceId, key);
    ws.on('message', (d) => {
      const parsed = parseFrame(d.toString());
      if (!parsed.ok || parsed.msg.type !== 'session.request') return;
      signer.observe(parsed.msg);
      const requestId = parsed.msg.payload.requestId;
      ws.send(encodeFrame(signer.sign({ v: 1, type: 'session.decision', id: newMessageId(), requestId, outcome: 'declined', granted: [], declined: ['view'], decidedBy: 'user', decidedAt: new Date().toISOString() })));
    });
    await new Promise((r) => ws.once('message', r));
    agents.push(ws);
  }
  await new Promise((r) => setTimeout(r, 200)); // presence reaches instance A
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: technicians }, async (_, i) => {
      const connected = await connectTechnician(pair.a.relay.url, await pair.a.addTechnician(`rate-${i}`, ['view']));
      if (!connected.ok) throw new Error(connected.detail);
      const c = connected.client;
      for (let n = 0; n < perTechnician; n++) {
        const start = performance.now();
        const decided = c.waitFor((m) => (m.type === 'session.decision' || m.type === 'error' ? m : undefined));
        c.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: `dev-rate-${i}`, ticket: { id: `RATE-${i}-${n}` }, reason: 'bench', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 });
        const m = await decided;
        if (m?.type !== 'session.decision') throw new Error(`expected a decision, got ${JSON.stringify(m)}`);
        latencies.push(performance.now() - start);
      }
      await c.close();
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const ws of agents) ws.close();
  return { perSecond: latencies.length / seconds, latencies };
}

/** Records per second from `lanes` concurrent appenders per instance (many requests at once, as under load). */
async function appendRate(url: string, instances: number, seconds: number, maxAuditBatch?: number): Promise<number> {
  const batch = maxAuditBatch !== undefined ? { maxAuditBatch } : {};
  const stores = Array.from({ length: instances }, () => new PostgresStorage({ url, ...batch }));
  await Promise.all(stores.map((s) => s.ready()));
  const end = performance.now() + seconds * 1000;
  let written = 0;
  const entry = (i: number) => ({ kind: 'close' as const, at: new Date().toISOString(), ticketId: `APPEND-${i}`, deviceId: 'dev-1', technicianId: 'alice', requestId: null, sessionId: 'ses-1', data: { outcome: 'resolved' as const } });
  const lanes = 32;
  await Promise.all(
    stores.flatMap((s) =>
      Array.from({ length: lanes }, async () => {
        while (performance.now() < end) await s.appendAudit(entry(written++));
      }),
    ),
  );
  await Promise.all(stores.map((s) => s.close()));
  return written / seconds;
}

/** `floorStats`: the bare two-hop forwarder measured once for the run (two-hop-floor.ts). */
export async function runScaleOutBench(floorStats: { name: string; p50: number; p99: number }): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const single = await startBenchRelay(new SqliteStorage(join(mkdtempSync(join(tmpdir(), 'pl-bench-single-')), 'relay.db')));
  const singleRoute = await routedRtt(single);
  await single.close();
  rows.push(latencyRow('routed RTT, one instance, audit on disk', singleRoute, floorStats, { text: '<= 1.5x two-hop floor', p99Below: floorStats.p99 * 1.5 }));

  if (!redisInstalled()) {
    console.log('note: redis-server is not installed; the two-instance rows are skipped');
  } else {
    const redis = await startRedis();
    try {
      const pair = await instancePair(redis.url);
      const across = await routedRtt(pair.a, pair.b, 'dev-across');
      const singleBase = { name: 'routed RTT, one instance, audit on disk', ...stats(singleRoute) };
      rows.push(latencyRow('routed RTT, technician on A, agent on B (Redis)', across, singleBase, { text: '<= 1.5x one instance', p99Below: singleBase.p99 * 1.5 }));
      const rate = await decidedPerSecond(pair, 100, rounds(20));
      rows.push({ name: 'decided requests/s, 100 technicians on A, devices on B', unit: 'req/s', value: rate.perSecond });
      rows.push(latencyRow('request -> decision at the technician, 100 technicians across instances', rate.latencies));
      await pair.close();
    } finally {
      await redis.stop();
    }
  }

  if (!postgresBinDir()) {
    console.log('note: PostgreSQL is not installed; the append-rate rows are skipped');
  } else {
    const pg = await startPostgres({ durable: true });
    try {
      const seconds = rounds(5, 2);
      const baseline = await appendRate(await pg.createDatabase('append4single'), 4, seconds, 1);
      const one = await appendRate(await pg.createDatabase('append1'), 1, seconds);
      const four = await appendRate(await pg.createDatabase('append4'), 4, seconds);
      rows.push({ name: 'central audit appends into PostgreSQL, 4 instances, one commit per record (baseline)', unit: 'records/s', value: baseline });
      rows.push({ name: 'central audit appends into PostgreSQL, 1 instance, group commit', unit: 'records/s', value: one });
      const ratio = `${(four / baseline).toFixed(1)}x one commit per record`;
      rows.push({ name: 'central audit appends into PostgreSQL, 4 instances, group commit', unit: 'records/s', value: four, target: ratio, met: four >= baseline });
    } finally {
      await pg.stop();
    }
  }
  return rows;
}
