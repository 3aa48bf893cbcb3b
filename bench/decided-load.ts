// Load generator for the decided-requests benchmark, in its own process (so its
// CPU is not the relay's event loop): connects the idle agents (each declines
// any request it gets, device-signed, at once) and the technicians, then two
// phases of `measureMs` after `warmupMs` each: capacity (closed loop, `window`
// requests in flight per technician) and latency at a fixed offered rate (open
// loop, `offeredPerSec` spread over the technicians). Prints one JSON line.
// Stops by itself: everything is bounded by `deadline`.
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
  /** Requests per second offered in the latency phase. */
  offeredPerSec: number;
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

/** One measured phase: decided requests, refusals, latencies (tech.request -> session.decision). */
interface Phase {
  decided: number;
  refused: number;
  skipped: number;
  seconds: number;
  latencies: number[];
}
const newPhase = (): Phase => ({ decided: 0, refused: 0, skipped: 0, seconds: 0, latencies: [] });
const refusals = new Map<string, number>();
let measured: Phase | undefined;
/** Closed loop: every answer asks again at once. Open loop: only the scheduler asks. */
let closedLoop = true;
let inFlight = 0;

/** The relay keeps at most 5 requests pending per technician connection. */
const MAX_PENDING = 5;

class LoadTechnician {
  private readonly sentAt = new Map<string, number>(); // deviceId -> when asked
  private readonly deviceOfRequest = new Map<string, string>();
  private readonly deviceOfFrame = new Map<string, string>();

  constructor(private readonly tech: TechnicianClient) {
    tech.onMessage((m) => {
      if (m.type === 'session.pending') this.deviceOfRequest.set(m.requestId, m.deviceId);
      if (m.type === 'session.decision') {
        const deviceId = this.deviceOfRequest.get(m.requestId);
        this.deviceOfRequest.delete(m.requestId);
        this.finish(deviceId, true);
      }
      if (m.type === 'error' && m.re !== undefined) {
        const deviceId = this.deviceOfFrame.get(m.re);
        this.deviceOfFrame.delete(m.re);
        refusals.set(m.code, (refusals.get(m.code) ?? 0) + 1);
        this.finish(deviceId, false);
      }
    });
  }

  get outstanding(): number {
    return this.sentAt.size;
  }

  ask(): boolean {
    if (this.sentAt.size >= MAX_PENDING) return false;
    let deviceId: string;
    do deviceId = plan.devices[Math.floor(Math.random() * plan.devices.length)]!.deviceId;
    while (this.sentAt.has(deviceId));
    const id = newMessageId();
    this.sentAt.set(deviceId, performance.now());
    this.deviceOfFrame.set(id, deviceId);
    inFlight += 1;
    this.tech.send({ v: 1, type: 'tech.request', id, deviceId, ticket: { id: 'BENCH-LOAD' }, reason: 'Decided-requests benchmark', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 });
    return true;
  }

  private finish(deviceId: string | undefined, ok: boolean): void {
    if (deviceId === undefined) return;
    const at = this.sentAt.get(deviceId);
    this.sentAt.delete(deviceId);
    if (at === undefined) return;
    inFlight -= 1;
    if (measured && ok) {
      measured.decided += 1;
      measured.latencies.push(performance.now() - at);
    }
    if (measured && !ok) measured.refused += 1;
    if (closedLoop) this.ask();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** `mark <name>-start|end` on stdout: the coordinator reads the relay's CPU time there. */
async function measure(name: string): Promise<Phase> {
  const phase = newPhase();
  process.stdout.write(`mark ${name}-start\n`);
  measured = phase;
  const t = performance.now();
  await sleep(plan.measureMs);
  phase.seconds = (performance.now() - t) / 1000;
  measured = undefined;
  process.stdout.write(`mark ${name}-end\n`);
  return phase;
}
async function drain(): Promise<void> {
  for (let waited = 0; inFlight > 0 && waited < 10_000; waited += 20) await sleep(20);
}

const load = techs.map((tech) => new LoadTechnician(tech));
// Capacity: `window` requests in flight per technician, each answer asks again.
for (const t of load) for (let i = 0; i < plan.window; i++) t.ask();
await sleep(plan.warmupMs);
const capacity = await measure('capacity');
closedLoop = false;
await drain();

// Latency at an offered rate: requests on a fixed schedule, spread over the technicians;
// one that finds every technician at its pending cap is counted as skipped (the relay is behind).
let issued = 0;
let next = 0;
const started = performance.now();
const schedule = setInterval(() => {
  const due = Math.floor(((performance.now() - started) / 1000) * plan.offeredPerSec) - issued;
  for (let i = 0; i < due; i++, issued++) {
    let sent = false;
    for (let tries = 0; tries < load.length && !sent; tries++) sent = load[next++ % load.length]!.ask();
    if (!sent && measured) measured.skipped += 1;
  }
}, 5);
await sleep(plan.warmupMs);
const offered = await measure('offered');
clearInterval(schedule);
await drain();

process.stdout.write(`${JSON.stringify({ capacity, offered, offeredPerSec: plan.offeredPerSec, refusals: Object.fromEntries(refusals), agents: sockets.length, technicians: techs.length, connectSec })}\n`);
for (const tech of techs) await tech.close();
for (const ws of sockets) ws.terminate();
clearTimeout(deadline);
