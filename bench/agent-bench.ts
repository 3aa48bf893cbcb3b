// Agent latencies over the real path: technician -> relay (SQLite on disk) ->
// agent core (audit on disk, fsync) -> UI port, and the user's answer back to
// the technician. The UI port answers at once, so what is timed is our code,
// the sockets and the disks, never a person.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent } from '../src/core/agent.js';
import { DEFAULT_POLICY } from '../src/core/policy/schema.js';
import type { UiPort } from '../src/core/ui-port.js';
import { newMessageId, type Message } from '../src/protocol/index.js';
import { DATABASE_FILE } from '../src/relay/data-dir.js';
import { SqliteStorage } from '../src/relay/storage/sqlite-storage.js';
import { connectTechnician, type TechnicianClient } from '../src/cli/technician/technician-client.js';
import { startBenchRelay } from './bench-relay.js';
import { launchChromiumConsent } from './chromium-consent.js';
import { rounds } from './bench-options.js';
import { latencyRow, type BenchRow } from './stats.js';

// The agent's per-technician prompt limit is at most 100 per window (policy
// bounds), so the rounds are spread over several technicians.
const TECHNICIANS = 4;
const ROUNDS_PER_TECHNICIAN = rounds(50, 8);
const WARMUP_ROUNDS = rounds(10, 4);
const DEVICE = 'dev-bench-agent';

interface Timings {
  promptShown?: number;
  painted?: number;
  answered?: number;
}

export async function runAgentBench(echo: { name: string; p50: number; p99: number }): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-agent-'));
  const bench = await startBenchRelay(new SqliteStorage(join(dir, DATABASE_FILE)));
  const consentWindow = await launchChromiumConsent();
  const openPages: { close(): Promise<void> }[] = [];
  let current: Timings = {};
  const ui: UiPort = {
    setStatus: () => undefined,
    async showConsent(view) {
      current.promptShown = performance.now();
      openPages.push(await consentWindow.paint(view));
      current.painted = performance.now();
      current.answered = performance.now();
      return { kind: 'decision', promptId: view.promptId, granted: [...view.scopes] };
    },
    showBanner: () => undefined,
    hideBanner: () => undefined,
    showSummary: () => undefined,
    notify: () => undefined,
  };
  const agent = createAgent({
    deviceId: DEVICE,
    ui,
    dataDir: join(dir, 'agent'),
    enrollmentToken: await bench.enroll(DEVICE),
    policy: { ...DEFAULT_POLICY, relayUrl: bench.relay.url, relayPublicKey: bench.relayKey.publicKey, rateLimit: { prompts: 100, windowMinutes: 1, autoDeclineAfterDeclines: 100 } },
  });
  await agent.start();
  while (!bench.relay.router.isOnline(DEVICE)) await new Promise((r) => setTimeout(r, 5));

  const toPrompt: number[] = [];
  const toPaintedCold: number[] = [];
  const toPaintedWarm: number[] = [];
  const decisionBack: number[] = [];
  const techs: TechnicianClient[] = [];
  for (let t = 0; t < TECHNICIANS; t++) {
    const c = await connectTechnician(bench.relay.url, await bench.addTechnician(`tech${t}`, ['view', 'control']));
    if (!c.ok) throw new Error(c.detail);
    techs.push(c.client);
  }
  let round = 0;
  for (const tech of techs) {
    for (let i = 0; i < ROUNDS_PER_TECHNICIAN; i++, round++) {
      current = {};
      // Alternate rounds: a consent page loaded in advance (warm) or opened on arrival (cold).
      const warm = round % 2 === 1;
      if (warm) await consentWindow.warmUp();
      const decision = tech.waitFor((m) => (m.type === 'session.decision' ? { m, at: performance.now() } : undefined));
      const started = tech.waitFor((m) => (m.type === 'session.started' ? m : undefined));
      const sent = performance.now();
      const ask: Message<'tech.request'> = { v: 1, type: 'tech.request', id: newMessageId(), deviceId: DEVICE, ticket: { id: `BENCH-${round}` }, reason: 'benchmark', scopes: ['view', 'control'], mode: 'attended', estimatedMinutes: 5 };
      tech.send(ask);
      const d = await decision;
      const s = await started;
      if (!d || d.m.outcome !== 'accepted' || !s || current.promptShown === undefined || current.answered === undefined || current.painted === undefined) throw new Error(`round ${round}: no accepted session (${JSON.stringify(d?.m)})`);
      if (round >= WARMUP_ROUNDS) {
        toPrompt.push(current.promptShown - sent);
        (warm ? toPaintedWarm : toPaintedCold).push(current.painted - sent);
        decisionBack.push(d.at - current.answered);
      }
      // End the session and wait until the agent has closed it before the next request.
      const summary = tech.waitFor((m) => (m.type === 'session.summary' ? m : undefined));
      tech.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId: s.sessionId, by: 'technician' });
      await summary;
      await agent.idle();
      for (const page of openPages.splice(0)) await page.close();
    }
  }
  for (const t of techs) await t.close();
  await agent.stop();
  await bench.close();
  await consentWindow.close();
  return [
    latencyRow('technician request -> UI port showConsent (through the relay, SQLite on disk)', toPrompt, echo),
    latencyRow('technician request -> consent painted in Chromium, page opened on arrival', toPaintedCold, undefined, { text: '< 150 ms p99', p99Below: 150 }),
    latencyRow('technician request -> consent painted in Chromium, page loaded in advance', toPaintedWarm, undefined, { text: '< 150 ms p99', p99Below: 150 }),
    latencyRow('user answer -> technician has the decision (agent audit fsync + relay audit)', decisionBack, echo, { text: '< 20 ms p99', p99Below: 20 }),
  ];
}
