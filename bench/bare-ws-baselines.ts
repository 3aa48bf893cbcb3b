// The floors the relay rows are compared with, measured in the same run with plain `ws` and no logic:
// a one-hop echo, a two-hop forwarder (technician -> forwarder -> agent echo -> back: the physical floor
// of any relayed round trip, shared by the relay and scale-out rows), and bare connects.
import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { encodeFrame, newMessageId } from '../src/protocol/frame.js';
import { rounds } from './bench-options.js';
import { stats } from './stats.js';

export interface Baseline {
  name: string;
  p50: number;
  p99: number;
  samples: number[];
}

const ROUNDS = rounds(2000);
const WARMUP = rounds(200);
const NARRATION = encodeFrame({ v: 1, type: 'session.narration', id: newMessageId(), sessionId: 'ses-bench', text: 'Restarting the print spooler service now.' });

const openSocket = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

async function listen(): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024, perMessageDeflate: false });
  await new Promise((r) => wss.once('listening', r));
  return { wss, url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}` };
}

async function roundTrips(ws: WebSocket): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS + WARMUP; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      ws.once('message', () => resolve());
      ws.send(NARRATION);
    });
    if (i >= WARMUP) samples.push(performance.now() - t0);
  }
  return samples;
}

/** Bare ws echo RTT: one hop, the baseline of the agent-side rows. */
export async function echoBaseline(): Promise<Baseline> {
  const { wss, url } = await listen();
  wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d.toString())));
  const ws = await openSocket(url);
  const samples = await roundTrips(ws);
  ws.close();
  await new Promise((r) => wss.close(r));
  return { name: 'bare ws echo RTT', ...stats(samples), samples };
}

/** The floor of a relayed round trip: a forwarder with no logic between a technician socket and an echoing agent. */
export async function twoHopFloor(): Promise<Baseline> {
  const { wss, url } = await listen();
  const peers: WebSocket[] = [];
  const agentIn = new Promise<void>((resolve) =>
    wss.on('connection', (ws) => {
      peers.push(ws);
      ws.on('message', (d) => peers[peers.indexOf(ws) === 0 ? 1 : 0]?.send(d.toString()));
      resolve();
    }),
  );
  const agent = await openSocket(url);
  agent.on('message', (d) => agent.send(d.toString()));
  await agentIn; // the forwarder holds the agent as peer 0 before the technician connects
  const tech = await openSocket(url);
  const samples = await roundTrips(tech);
  tech.close();
  agent.close();
  await new Promise((r) => wss.close(r));
  return { name: 'bare two-hop ws forwarder RTT', ...stats(samples), samples };
}

/**
 * Seconds to open `count` plain ws connections, 250 at a time as the idle-agent row connects, to a bare
 * server in its own process (as the relay is): the floor of "connect + authenticate N agents".
 */
export async function bareConnectSeconds(count: number): Promise<number> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (m) => resolve(String(m)));
      child.once('exit', (code) => reject(new Error(`bare ws server exited (${code})`)));
    });
    const sockets: WebSocket[] = [];
    const t0 = performance.now();
    for (let i = 0; i < count; i += 250) sockets.push(...(await Promise.all(Array.from({ length: Math.min(250, count - i) }, () => openSocket(url)))));
    const seconds = (performance.now() - t0) / 1000;
    for (const ws of sockets) ws.terminate();
    return seconds;
  } finally {
    clearTimeout(killer);
    child.kill('SIGTERM');
  }
}

// The bare server of bareConnectSeconds, in a child process.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && process.argv.includes('--serve')) {
  const { url } = await listen();
  process.send?.(url);
}
