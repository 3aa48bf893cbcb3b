// Relay benchmarks: (1) route overhead technician -> relay -> agent -> relay ->
// technician as a ratio to a bare ws echo round trip measured in the same run;
// (2) relay RSS with many idle agent connections (relay in a child process).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execSync } from 'node:child_process';
import WebSocket, { WebSocketServer } from 'ws';
import { encodeFrame, newMessageId, parseFrame } from '../src/protocol/frame.js';
import type { Message } from '../src/protocol/messages.js';
import { generateEd25519KeyPair, signHelloProof } from '../src/protocol/index.js';
import { DATABASE_FILE } from '../src/relay/data-dir.js';
import { hashSecretToken, newSecretToken } from '../src/relay/secret-token.js';
import { startRelay } from '../src/relay/server.js';
import { SqliteStorage } from '../src/relay/storage/sqlite-storage.js';
import { connectTechnician } from '../src/relay/technician-client.js';

const ROUNDS = 2000;
const WARMUP = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function stats(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

const open = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

async function bareEchoRtt(frame: string): Promise<number[]> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024, perMessageDeflate: false });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d.toString())));
  const ws = await open(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS + WARMUP; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      ws.once('message', () => resolve());
      ws.send(frame);
    });
    if (i >= WARMUP) samples.push(performance.now() - t0);
  }
  ws.close();
  await new Promise((r) => wss.close(r));
  return samples;
}

async function routedRtt(storage: SqliteStorage): Promise<number[]> {
  const relayKey = generateEd25519KeyPair();
  const relay = await startRelay({ storage, relayKey, port: 0, rateLimit: { perSecond: 1e6, burst: 1e6, abuseThreshold: 1e6 } });
  const token = newSecretToken();
  await storage.addTechnician({ id: 'bench', name: 'Bench', group: 'bench', scopes: ['view', 'control'], unattended: false, tokenHash: hashSecretToken(token), createdAt: new Date().toISOString(), disabled: false });
  const enrollment = newSecretToken();
  await storage.addEnrollment({ deviceId: 'dev-bench', tokenHash: hashSecretToken(enrollment), createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString() });

  // Agent: accept the request, start the session, answer each narration with a scope-update.
  const key = generateEd25519KeyPair();
  const agent = await open(relay.url);
  const issuedAt = new Date().toISOString();
  const nonce = 'YmVuY2gtaGVsbG8tbm9uY2UtMQ';
  agent.send(encodeFrame({ v: 1, type: 'hello', id: newMessageId(), role: 'agent', deviceId: 'dev-bench', devicePublicKey: key.publicKey, agentVersion: 'bench', issuedAt, nonce, proof: signHelloProof('dev-bench', nonce, issuedAt, key), enrollmentToken: enrollment }));
  const endsAt = new Date(Date.now() + 3600_000).toISOString();
  agent.on('message', (d) => {
    const parsed = parseFrame(d.toString());
    if (!parsed.ok) return;
    const m = parsed.msg;
    if (m.type === 'session.request') {
      const sessionId = 'ses-bench';
      agent.send(encodeFrame({ v: 1, type: 'session.decision', id: newMessageId(), requestId: m.payload.requestId, outcome: 'accepted', granted: ['view'], declined: [], decidedBy: 'user', decidedAt: new Date().toISOString(), sessionId }));
      agent.send(encodeFrame({ v: 1, type: 'session.started', id: newMessageId(), sessionId, requestId: m.payload.requestId, scopes: ['view'], mode: 'attended', startedAt: new Date().toISOString(), endsAt }));
    }
    if (m.type === 'session.narration') {
      agent.send(encodeFrame({ v: 1, type: 'session.scope-update', id: newMessageId(), sessionId: m.sessionId, change: 'extended', scopes: [], granted: ['view'], endsAt }));
    }
  });
  await new Promise((r) => agent.once('message', r));

  const connected = await connectTechnician(relay.url, token);
  if (!connected.ok) throw new Error(connected.detail);
  const tech = connected.client;
  const started = tech.waitFor((m) => (m.type === 'session.started' ? m : undefined));
  tech.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-bench', ticket: { id: 'BENCH-1' }, reason: 'bench', scopes: ['view'], mode: 'attended', estimatedMinutes: 60 });
  const { sessionId } = (await started)!;
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS + WARMUP; i++) {
    const t0 = performance.now();
    const back = tech.waitFor((m) => (m.type === 'session.scope-update' ? m : undefined));
    tech.send({ v: 1, type: 'session.narration', id: newMessageId(), sessionId, text: 'Restarting the print spooler service now.' });
    await back;
    if (i >= WARMUP) samples.push(performance.now() - t0);
  }
  await tech.close();
  agent.close();
  await relay.close();
  return samples;
}

function narrationFrame(): string {
  const m: Message<'session.narration'> = { v: 1, type: 'session.narration', id: newMessageId(), sessionId: 'ses-bench', text: 'Restarting the print spooler service now.' };
  return encodeFrame(m);
}

function rssKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN);
}

async function idleAgentsRss(wanted: number): Promise<void> {
  const fdLimit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
  // Each agent costs one fd here and one in the relay process; keep headroom.
  const count = Number.isFinite(fdLimit) ? Math.min(wanted, fdLimit - 500) : wanted;
  if (count < wanted) console.log(`note: ulimit -n is ${fdLimit}; scaled down to ${count} idle agents`);
  const data = mkdtempSync(join(tmpdir(), 'pl-bench-relay-'));
  // Pre-register devices (enrollment is measured by tests, not here).
  const keys = Array.from({ length: count }, (_, i) => ({ deviceId: `dev-${i}`, key: generateEd25519KeyPair() }));
  const storage = new SqliteStorage(join(data, DATABASE_FILE));
  const now = new Date().toISOString();
  for (const k of keys) await storage.registerDevice({ deviceId: k.deviceId, publicKey: k.key.publicKey, enrolledAt: now, lastSeenAt: now });
  await storage.close();

  const bin = fileURLToPath(new URL('../../bin/porchlight.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'relay', '--port', '0', '--data', data], { stdio: ['ignore', 'pipe', 'inherit'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 180_000); // bounded: never outlive the bench
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
    for (let i = 0; i < keys.length; i += 250) {
      await Promise.all(
        keys.slice(i, i + 250).map(async ({ deviceId, key }) => {
          const ws = await open(url);
          const issuedAt = new Date().toISOString();
          const nonce = `${deviceId}-bench-nonce-0001`.padEnd(22, 'x').replace(/[^A-Za-z0-9_-]/g, '_');
          const welcome = new Promise((r) => ws.once('message', r));
          ws.send(encodeFrame({ v: 1, type: 'hello', id: newMessageId(), role: 'agent', deviceId, devicePublicKey: key.publicKey, agentVersion: 'bench', issuedAt, nonce, proof: signHelloProof(deviceId, nonce, issuedAt, key) }));
          await welcome;
          sockets.push(ws);
        }),
      );
    }
    const connectSec = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    const loaded = rssKiB(child.pid!);
    console.log(`idle agents: ${sockets.length} connected and authenticated in ${connectSec.toFixed(1)} s`);
    console.log(`relay RSS: ${(base / 1024).toFixed(1)} MiB empty, ${(loaded / 1024).toFixed(1)} MiB with ${sockets.length} idle agents (${((loaded - base) / sockets.length).toFixed(1)} KiB per agent)`);
    for (const ws of sockets) ws.terminate();
  } finally {
    clearTimeout(killer);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

export async function runRelayBench(): Promise<void> {
  const frame = narrationFrame();
  const echo = stats(await bareEchoRtt(frame));
  const memoryRoute = stats(await routedRtt(new SqliteStorage(':memory:')));
  const fileDir = mkdtempSync(join(tmpdir(), 'pl-bench-db-'));
  const fileRoute = stats(await routedRtt(new SqliteStorage(join(fileDir, DATABASE_FILE))));
  const ms = (n: number) => `${n.toFixed(3)} ms`;
  console.log(`bare ws echo RTT:          p50 ${ms(echo.p50)}  p99 ${ms(echo.p99)}  (${ROUNDS} rounds)`);
  console.log(`routed RTT (audit in RAM): p50 ${ms(memoryRoute.p50)}  p99 ${ms(memoryRoute.p99)}  ratio p50 ${(memoryRoute.p50 / echo.p50).toFixed(2)}x  p99 ${(memoryRoute.p99 / echo.p99).toFixed(2)}x`);
  console.log(`routed RTT (audit on disk, fsync): p50 ${ms(fileRoute.p50)}  p99 ${ms(fileRoute.p99)}  ratio p50 ${(fileRoute.p50 / echo.p50).toFixed(2)}x  p99 ${(fileRoute.p99 / echo.p99).toFixed(2)}x`);
  console.log('(routed = technician -> relay -> agent -> relay -> technician: two relay hops, two audit writes, vs one bare hop)');
  await idleAgentsRss(10_000);
}
