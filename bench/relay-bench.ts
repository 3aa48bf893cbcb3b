// Relay benchmarks: (1) the routed round trip technician -> relay -> agent ->
// relay -> technician as a ratio to a bare two-hop ws forwarder measured in the
// same run; (2) relay RSS with many idle agent connections (relay in a child
// process), their connect + authenticate time against bare ws connects.
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { encodeFrame, newMessageId, parseFrame } from '../src/protocol/frame.js';
import type { Message } from '../src/protocol/messages.js';
import { DeviceSigner } from '../src/core/identity/device-signer.js';
import { AGENT_SUBPROTOCOL, generateEd25519KeyPair, signHelloProof, type Ed25519KeyPair } from '../src/protocol/index.js';
import { DATABASE_FILE } from '../src/relay/data-dir.js';
import { SqliteStorage } from '../src/relay/storage/sqlite-storage.js';
import { connectTechnician } from '../src/cli/technician/technician-client.js';
import { startBenchRelay, type BenchRelay } from './bench-relay.js';
import { QUICK, rounds } from './bench-options.js';
import { openFilesHardLimit, raiseOpenFiles } from './fd-limit.js';
import { within } from './within.js';
import { latencyRow, type BenchRow } from './stats.js';
import { bareConnectSeconds, type Baseline } from './bare-ws-baselines.js';

const ROUNDS = rounds(2000);
const WARMUP = rounds(200);

/** An agent socket that answered the relay's challenge with a signed hello. */
export async function helloAgent(url: string, deviceId: string, key: Ed25519KeyPair, nonce: string, enrollmentToken?: string): Promise<WebSocket> {
  const ws = new WebSocket(url, [AGENT_SUBPROTOCOL], { perMessageDeflate: false });
  const first = await new Promise<string>((resolve, reject) => {
    ws.once('message', (d) => resolve(d.toString()));
    ws.once('error', reject);
  });
  const parsed = parseFrame(first, ['challenge']);
  if (!parsed.ok || parsed.msg.type !== 'challenge') throw new Error(`expected a challenge, got ${first.slice(0, 120)}`);
  const c = parsed.msg;
  const fields = { deviceId, devicePublicKey: key.publicKey, issuedAt: new Date().toISOString(), nonce };
  const proof = signHelloProof(fields, { challenge: c.challenge, relayKeyFingerprint: c.relayKeyFingerprint, channelBinding: 'none', tlsExporter: null }, key);
  const token = enrollmentToken ? { enrollmentToken } : {};
  ws.send(encodeFrame({ v: 1, type: 'hello', id: newMessageId(), role: 'agent', agentVersion: 'bench', ...fields, challenge: c.challenge, proof, ...token }));
  return ws;
}

/**
 * Narration -> scope-update round trips through a live session: the technician on `tech`, the
 * agent on `agentSide` (the same relay, or another instance on the bus).
 */
export async function routedRtt(tech: BenchRelay, agentSide: BenchRelay = tech, deviceId = 'dev-bench'): Promise<number[]> {
  const relay = agentSide.relay;
  const token = await tech.addTechnician(`bench-${deviceId}`, ['view', 'control']);
  const enrollment = await agentSide.enroll(deviceId);

  // Agent: accept the request, start the session, answer each narration with a scope-update.
  const key = generateEd25519KeyPair();
  const agent = await helloAgent(relay.url, deviceId, key, `${deviceId}-hello-nonce-0001`.padEnd(22, 'x'), enrollment);
  const endsAt = new Date(Date.now() + 3600_000).toISOString();
  const sessionId = 'ses-bench';
  // As a real agent: the session starts only once the relay said it recorded the granting decision.
  let decision: { id: string; requestId: string } | undefined;
  // Device-signed as the agent signs them (the relay refuses unsigned decisions, starts and updates).
  const signer = new DeviceSigner(deviceId, key);
  const send = (msg: Message) => agent.send(encodeFrame(signer.sign(msg)));
  agent.on('message', (d) => {
    const parsed = parseFrame(d.toString());
    if (!parsed.ok) return;
    const m = parsed.msg;
    signer.observe(m);
    if (m.type === 'session.request') {
      decision = { id: newMessageId(), requestId: m.payload.requestId };
      send({ v: 1, type: 'session.decision', id: decision.id, requestId: decision.requestId, outcome: 'accepted', granted: ['view'], declined: [], decidedBy: 'user', decidedAt: new Date().toISOString(), sessionId });
    }
    if (m.type === 'session.recorded' && decision && m.re === decision.id) {
      send({ v: 1, type: 'session.started', id: newMessageId(), sessionId, requestId: decision.requestId, scopes: ['view'], mode: 'attended', startedAt: new Date().toISOString(), endsAt });
    }
    if (m.type === 'session.narration') {
      send({ v: 1, type: 'session.scope-update', id: newMessageId(), sessionId: m.sessionId, change: 'extended', scopes: [], granted: ['view'], endsAt });
    }
  });
  await new Promise((r) => agent.once('message', r));

  const connected = await connectTechnician(tech.relay.url, token);
  if (!connected.ok) throw new Error(connected.detail);
  const client = connected.client;
  const started = client.waitFor((m) => (m.type === 'session.started' ? m : undefined));
  client.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: 'BENCH-1' }, reason: 'bench', scopes: ['view'], mode: 'attended', estimatedMinutes: 60 });
  const seen: string[] = [];
  void client.waitFor((m) => (m.type === 'session.started' ? true : void seen.push(m.type === 'error' ? `error ${m.code}: ${m.detail ?? ''}` : m.type)));
  await within(started, 30_000, () => `routed RTT: no session.started; the technician saw ${seen.join(', ') || 'nothing'}`);
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS + WARMUP; i++) {
    const t0 = performance.now();
    const back = client.waitFor((m) => (m.type === 'session.scope-update' ? m : undefined));
    client.send({ v: 1, type: 'session.narration', id: newMessageId(), sessionId, text: 'Restarting the print spooler service now.' });
    await back;
    if (i >= WARMUP) samples.push(performance.now() - t0);
  }
  await client.close();
  agent.close();
  return samples;
}

function rssKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN);
}

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid: number): number {
  // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
  const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
  return (Number(rest[11]) + Number(rest[12])) / ticks;
}

/** The relay's default heartbeat (server.ts): a full window holds one ping round to every agent. */
const RELAY_HEARTBEAT_MS = 30_000;
const IDLE_WINDOW_MS = QUICK ? 3_000 : RELAY_HEARTBEAT_MS + 2_000;

/** Node flags for the relay process, as in docs/deploy.md's systemd unit. */
const RELAY_NODE_FLAGS = ['--max-semi-space-size=8'];

/** The idle fleet issue 22 asks one instance to hold. */
export const ISSUE_IDLE_FLEET = 50_000;
/** Descriptors each process keeps besides its agent sockets (listener, database, stdio, the bare baseline's server link). */
const FD_HEADROOM = 1000;

async function idleAgents(wanted: number): Promise<BenchRow[]> {
  // Each agent costs one fd here and one in the relay process (each process has its own limit);
  // the bare-connect baseline runs after the agents are gone, so it needs no second share.
  const fdLimit = raiseOpenFiles(process.pid, wanted + FD_HEADROOM) ?? wanted + FD_HEADROOM;
  const hardLimit = openFilesHardLimit() ?? fdLimit;
  const largest = fdLimit - FD_HEADROOM;
  const count = Math.min(wanted, largest);
  // Capped: fewer than asked for, or the issue's fleet would not fit this host whatever was asked.
  const cappedFrom = Math.max(wanted, ISSUE_IDLE_FLEET) > largest ? Math.max(wanted, ISSUE_IDLE_FLEET) : undefined;
  if (cappedFrom !== undefined) {
    console.log(
      `note: ${cappedFrom} idle agents do not fit here: this host caps one process at ${hardLimit} open files (hard limit, ulimit -Hn; only root raises it), ` +
        `so ${largest} is the largest fleet it allows; measuring ${count}. docs/relay.md sizes ${ISSUE_IDLE_FLEET} from the per-agent figures below.`,
    );
  }
  const data = mkdtempSync(join(tmpdir(), 'pl-bench-relay-'));
  // Pre-register devices (enrollment is measured by tests, not here).
  const keys = Array.from({ length: count }, (_, i) => ({ deviceId: `dev-${i}`, key: generateEd25519KeyPair() }));
  const storage = new SqliteStorage(join(data, DATABASE_FILE));
  const now = new Date().toISOString();
  for (const k of keys) await storage.registerDevice({ deviceId: k.deviceId, publicKey: k.key.publicKey, enrolledAt: now, lastSeenAt: now });
  await storage.close();

  const bin = fileURLToPath(new URL('../../bin/porchlight.js', import.meta.url));
  // The young-generation cap docs/deploy.md gives the relay's unit: without it V8 grows new space to 128 MiB
  // under connect churn and keeps it, which dwarfs what each idle agent really costs.
  const child = spawn(process.execPath, [...RELAY_NODE_FLAGS, bin, 'relay', '--port', '0', '--data', data, '--max-unauthenticated-per-address', '100000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const relayFds = raiseOpenFiles(child.pid!, count + 1000);
  if (relayFds !== undefined && relayFds < count + 100) console.log(`note: the relay may open only ${relayFds} files; agents past that are refused`);
  const killer = setTimeout(() => child.kill('SIGKILL'), 300_000); // bounded: never outlive the bench
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (ws:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error('relay exited early')));
    });
    const base = rssKiB(child.pid!);
    const sockets: WebSocket[] = [];
    const t0 = performance.now();
    let half: { rss: number; agents: number } | undefined;
    for (let i = 0; i < keys.length; i += 250) {
      if (!half && i >= keys.length / 2) half = { rss: rssKiB(child.pid!), agents: sockets.length };
      await Promise.all(
        keys.slice(i, i + 250).map(async ({ deviceId, key }) => {
          const nonce = `${deviceId}-bench-nonce-0001`.padEnd(22, 'x').replace(/[^A-Za-z0-9_-]/g, '_');
          const ws = await helloAgent(url, deviceId, key, nonce);
          await new Promise((r) => ws.once('message', r));
          sockets.push(ws);
        }),
      );
    }
    const connectSec = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    // Idle cost: CPU over a quiet window (heartbeats only) while all agents stay connected.
    const cpu0 = cpuSeconds(child.pid!);
    await new Promise((r) => setTimeout(r, IDLE_WINDOW_MS));
    const idleCpuPercent = ((cpuSeconds(child.pid!) - cpu0) / (IDLE_WINDOW_MS / 1000)) * 100;
    const loaded = rssKiB(child.pid!);
    for (const ws of sockets) ws.terminate();
    const n = sockets.length;
    const bareSec = await bareConnectSeconds(count);
    const perAdditional = half && n > half.agents ? (loaded - half.rss) / (n - half.agents) : (loaded - base) / n;
    const cap = cappedFrom !== undefined ? ` (${cappedFrom} capped by the open-files hard limit ${hardLimit})` : '';
    return [
      { name: `idle agents measured on one instance${cap}`, unit: 'agents', value: n, target: `${ISSUE_IDLE_FLEET} (issue 22)`, met: n >= ISSUE_IDLE_FLEET },
      { name: `relay RSS, empty`, unit: 'MiB', value: base / 1024 },
      { name: `relay RSS with ${n} idle agents`, unit: 'MiB', value: loaded / 1024, target: '< 500 MB', met: (loaded * 1024) / 1e6 < 500 },
      { name: `relay memory per idle agent (RSS growth / agents)`, unit: 'KiB', value: (loaded - base) / n, target: '< 8 KiB', met: (loaded - base) / n < 8 },
      // The slope over the second half: what one more idle agent costs, without the fixed start-up growth.
      ...(half && n > half.agents
        ? [{ name: `relay memory per additional idle agent (${half.agents} -> ${n})`, unit: 'KiB', value: (loaded - half.rss) / (n - half.agents) }]
        : []),
      { name: `relay RSS projected for ${ISSUE_IDLE_FLEET} idle agents (RSS with ${n} + per additional agent x ${ISSUE_IDLE_FLEET - n})`, unit: 'MiB', value: (loaded + perAdditional * Math.max(0, ISSUE_IDLE_FLEET - n)) / 1024 },
      { name: `relay CPU with ${n} idle agents (${IDLE_WINDOW_MS / 1000} s window, heartbeats only)`, unit: '% of one core', value: idleCpuPercent, target: '< 2 % of a core', met: idleCpuPercent < 2 },
      { name: `bare ws connect of ${n} sockets (server in its own process)`, unit: 's', value: bareSec },
      { name: `connect + authenticate ${n} agents`, unit: 's', value: connectSec, ratio: { p50: connectSec / bareSec, p99: connectSec / bareSec, baseline: `bare ws connect of ${n} sockets (server in its own process)` } },
    ];
  } finally {
    clearTimeout(killer);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

/** `floor`: the bare two-hop forwarder of this run (bare-ws-baselines.ts). */
export async function runRelayBench(floor: Baseline): Promise<BenchRow[]> {
  const inMemory = await startBenchRelay(new SqliteStorage(':memory:'));
  const memoryRoute = await routedRtt(inMemory);
  await inMemory.close();
  const fileDir = mkdtempSync(join(tmpdir(), 'pl-bench-db-'));
  const onDisk = await startBenchRelay(new SqliteStorage(join(fileDir, DATABASE_FILE)));
  const fileRoute = await routedRtt(onDisk);
  await onDisk.close();
  // Routed = technician -> relay -> agent -> relay -> technician: two relay hops and
  // two central-audit writes, against two bare hops.
  const goal = { text: '<= 1.5x two-hop floor', p99Below: floor.p99 * 1.5 };
  return [
    latencyRow('routed RTT, central audit in memory', memoryRoute, floor, goal),
    latencyRow('routed RTT, central audit on disk', fileRoute, floor, goal),
    ...(await idleAgents(rounds(50_000, 5_000))),
  ];
}

// `node dist/bench/relay-bench.js --idle [N]`: the idle-agent rows alone.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--idle')) {
  const { formatTable } = await import('./table.js');
  const n = Number(process.argv[process.argv.indexOf('--idle') + 1]) || 50_000;
  console.log(formatTable(await idleAgents(n)));
  process.exit(0);
}
