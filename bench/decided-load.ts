// Load generator for the decided-requests benchmark, in its own process (so its
// CPU is not the relay's event loop): connects the idle agents (each declines
// any request it gets, device-signed, at once) and the technicians, then keeps
// `window` requests in flight per technician for `measureMs` after `warmupMs`.
// Prints one JSON line: decided requests, seconds, latencies (tech.request ->
// session.decision). Stops by itself: everything is bounded by `deadline`.
import { readFileSync } from 'node:fs';
import type WebSocket from 'ws';
import { encodeFrame, newMessageId, parseFrame } from '../src/protocol/frame.js';
import type { Ed25519KeyPair } from '../src/protocol/signing.js';
import { ACCEPTED_BY, type Message } from '../src/protocol/messages.js';
import { DeviceSigner } from '../src/core/identity/device-signer.js';
import { connectTechnician, type TechnicianClient } from '../src/cli/technician/technician-client.js';
import { helloAgent } from './relay-bench.js';

interface LoadPlan {
  url: string;
  devices: Array<{ deviceId: string; key: Ed25519KeyPair }>;
  tokens: string[];
  window: number;
  warmupMs: number;
  measureMs: number;
}

const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadPlan;
const deadline = setTimeout(() => {
  console.error('decided-load: deadline passed, giving up');
  process.exit(3);
}, 240_000);

async function agent(deviceId: string, key: Ed25519KeyPair): Promise<WebSocket> {
  const ws = await helloAgent(plan.url, deviceId, key, `${deviceId}-load-nonce-000001`.replace(/[^A-Za-z0-9_-]/g, '_').padEnd(22, 'x'));
  const signer = new DeviceSigner(deviceId, key);
  const welcome = new Promise<void>((resolve, reject) => {
    ws.once('message', (d) => (d.toString().includes('"welcome"') ? resolve() : reject(new Error(`${deviceId}: ${d.toString().slice(0, 200)}`))));
  });
  ws.on('message', (d) => {
    const parsed = parseFrame(d.toString(), ACCEPTED_BY.agentFromRelay);
    if (!parsed.ok || parsed.msg.type !== 'session.request') return;
    signer.observe(parsed.msg);
    const p = parsed.msg.payload;
    const decision: Message<'session.decision'> = { v: 1, type: 'session.decision', id: newMessageId(), requestId: p.requestId, outcome: 'declined', granted: [], declined: p.scopes, decidedBy: 'user', decidedAt: new Date().toISOString() };
    ws.send(encodeFrame(signer.sign(decision)));
  });
  await welcome;
  return ws;
}

const t0 = performance.now();
const sockets: WebSocket[] = [];
for (let i = 0; i < plan.devices.length; i += 250) {
  sockets.push(...(await Promise.all(plan.devices.slice(i, i + 250).map((d) => agent(d.deviceId, d.key)))));
}
const connectSec = (performance.now() - t0) / 1000;
const techs: TechnicianClient[] = [];
for (const token of plan.tokens) {
  const r = await connectTechnician(plan.url, token);
  if (!r.ok) throw new Error(`technician sign-in failed: ${r.detail}`);
  techs.push(r.client);
}

const latencies: number[] = [];
let decided = 0;
let refused = 0;
const refusals = new Map<string, number>();
let measuring = false;
let issuing = true;
let inFlight = 0;
let drained: () => void = () => undefined;

function drive(tech: TechnicianClient): void {
  const sentAt = new Map<string, number>(); // deviceId -> when asked
  const deviceOfRequest = new Map<string, string>();
  const deviceOfFrame = new Map<string, string>();
  const next = () => {
    if (!issuing) return;
    let deviceId: string;
    do deviceId = plan.devices[Math.floor(Math.random() * plan.devices.length)]!.deviceId;
    while (sentAt.has(deviceId));
    const id = newMessageId();
    sentAt.set(deviceId, performance.now());
    deviceOfFrame.set(id, deviceId);
    inFlight += 1;
    tech.send({ v: 1, type: 'tech.request', id, deviceId, ticket: { id: 'BENCH-LOAD' }, reason: 'Decided-requests benchmark', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 });
  };
  const finish = (deviceId: string | undefined, ok: boolean) => {
    if (deviceId === undefined) return;
    const at = sentAt.get(deviceId);
    sentAt.delete(deviceId);
    if (at === undefined) return;
    inFlight -= 1;
    if (measuring && ok) {
      decided += 1;
      latencies.push(performance.now() - at);
    }
    if (inFlight === 0 && !issuing) drained();
    next();
  };
  tech.onMessage((m) => {
    if (m.type === 'session.pending') deviceOfRequest.set(m.requestId, m.deviceId);
    if (m.type === 'session.decision') {
      const deviceId = deviceOfRequest.get(m.requestId);
      deviceOfRequest.delete(m.requestId);
      finish(deviceId, true);
    }
    if (m.type === 'error' && m.re !== undefined) {
      const deviceId = deviceOfFrame.get(m.re);
      deviceOfFrame.delete(m.re);
      if (measuring) refused += 1;
      refusals.set(m.code, (refusals.get(m.code) ?? 0) + 1);
      finish(deviceId, false);
    }
  });
  for (let i = 0; i < plan.window; i++) next();
}

for (const tech of techs) drive(tech);
await new Promise((r) => setTimeout(r, plan.warmupMs));
measuring = true;
const m0 = performance.now();
await new Promise((r) => setTimeout(r, plan.measureMs));
measuring = false;
const seconds = (performance.now() - m0) / 1000;
issuing = false;
await new Promise<void>((resolve) => {
  drained = resolve;
  if (inFlight === 0) resolve();
  setTimeout(resolve, 10_000).unref();
});
process.stdout.write(`${JSON.stringify({ decided, refused, refusals: Object.fromEntries(refusals), seconds, latencies, agents: sockets.length, technicians: techs.length, connectSec })}\n`);
for (const tech of techs) await tech.close();
for (const ws of sockets) ws.terminate();
clearTimeout(deadline);
