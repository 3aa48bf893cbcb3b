// Agent latencies over the real path: technician -> relay (SQLite on disk) ->
// agent core (audit on disk, fsync) -> UI port -> consent page in Chromium, and
// the user's answer back to the technician. The UI port answers at once, so
// what is timed is our code, the sockets and the disks, never a person. Every
// round is broken into stages (product marks + page timestamps, see
// latency-stages.ts); the consent page is compared with an empty page painted
// by the same harness in the same Chromium. `node dist/bench/agent-bench.js [--quick]` runs it alone.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAgent } from '../src/core/agent.js';
import { DEFAULT_POLICY } from '../src/core/policy/schema.js';
import type { UiPort } from '../src/core/ui-port.js';
import { newMessageId, type Message } from '../src/protocol/index.js';
import { DATABASE_FILE } from '../src/relay/data-dir.js';
import { SqliteStorage } from '../src/relay/storage/sqlite-storage.js';
import { connectTechnician, type TechnicianClient } from '../src/cli/technician/technician-client.js';
import { startBenchRelay } from './bench-relay.js';
import { launchChromiumConsent, type PaintStages } from './chromium-consent.js';
import { rounds } from './bench-options.js';
import { StageMarks, stageRows } from './latency-stages.js';
import { emptyPagePaints } from './empty-page-bench.js';
import { twoFsyncLatencies } from './raw-fsync.js';
import { latencyRow, stats, type BenchRow } from './stats.js';

// The agent's per-technician prompt limit is at most 100 per window (policy
// bounds), so the rounds are spread over several technicians.
const TECHNICIANS = 4;
const ROUNDS_PER_TECHNICIAN = rounds(50, 8);
const WARMUP_ROUNDS = rounds(10, 4);
const DEVICE = 'dev-bench-agent';

/** Page timestamps (epoch) as stages on this process's performance.now() clock. */
function pageStages(p: PaintStages): Array<[string, number]> {
  const local = (epoch: number) => epoch - performance.timeOrigin;
  return Object.entries(p).map(([k, v]) => [`page.${k}`, local(v as number)]);
}

const REQUEST_STAGES = [
  ['relay: request checked, central audit written', 'bench.sent', 'relay.request.recorded'],
  ['relay: pending sent, request signed and forwarded', 'relay.request.recorded', 'relay.request.forwarded'],
  ['socket relay -> agent, frame parsed', 'relay.request.forwarded', 'agent.request.frame'],
  ['agent: request.received record queued (fsync runs alongside)', 'agent.request.frame', 'agent.request.queued'],
  ['agent: verify (signature, replay, policy)', 'agent.request.queued', 'agent.request.verified'],
  ['agent: queue -> ask the UI port', 'agent.request.verified', 'agent.consent.asked'],
] as const;
const WARM_PAGE_STAGES = [['UI port -> page has the view (bridge call)', 'agent.consent.asked', 'page.received']] as const;
const COLD_PAGE_STAGES = [
  ['UI port -> page opened and loaded (ready)', 'agent.consent.asked', 'page.loaded'],
  ['page ready -> page has the view (bridge call)', 'page.loaded', 'page.received'],
] as const;
const PAINT_STAGES = [
  ['page: render the view (DOM built)', 'page.received', 'page.rendered'],
  ['page: wait for the next frame', 'page.rendered', 'page.frame'],
  ['page: style, layout, paint (to the frame after)', 'page.frame', 'page.painted'],
  ['page -> harness hears the paint', 'page.painted', 'page.heard'],
] as const;
const DECISION_STAGES = [
  ['UI port answer -> request flow decides', 'bench.answered', 'agent.decision.answered'],
  ['agent: consent.decision audit record (fsync)', 'agent.decision.answered', 'agent.decision.recorded'],
  ['agent: device signature', 'agent.decision.recorded', 'agent.decision.signed'],
  ['agent: frame sent', 'agent.decision.signed', 'agent.decision.sent'],
  ['socket agent -> relay, frame parsed', 'agent.decision.sent', 'relay.decision.frame'],
  ['relay: device signature checked', 'relay.decision.frame', 'relay.decision.verified'],
  ['relay: central audit group commit', 'relay.decision.verified', 'relay.decision.recorded'],
  ['relay: ack to agent, decision to technician', 'relay.decision.recorded', 'relay.decision.forwarded'],
  ['socket relay -> technician, frame parsed', 'relay.decision.forwarded', 'bench.decision'],
] as const;

export async function runAgentBench(echo: { name: string; p50: number; p99: number }): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-agent-'));
  const bench = await startBenchRelay(new SqliteStorage(join(dir, DATABASE_FILE)));
  const consentWindow = await launchChromiumConsent();
  const marks = new StageMarks();
  const openPages: { close(): Promise<void> }[] = [];
  let current: { asked?: number; paint?: PaintStages; answered?: number } = {};
  const ui: UiPort = {
    setStatus: () => undefined,
    async showConsent(view) {
      current.asked = performance.now();
      const { page, stages } = await consentWindow.paint(view);
      openPages.push(page);
      current.paint = stages;
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
  const pageCold: number[] = [];
  const pageWarm: number[] = [];
  const decisionBack: number[] = [];
  const roundsWarm: Array<Map<string, number>> = [];
  const roundsCold: Array<Map<string, number>> = [];
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
      const { asked, paint, answered } = current;
      if (!d || d.m.outcome !== 'accepted' || !s || asked === undefined || answered === undefined || paint === undefined) throw new Error(`round ${round}: no accepted session (${JSON.stringify(d?.m)})`);
      if (round >= WARMUP_ROUNDS) {
        const painted = paint.heard - performance.timeOrigin;
        toPrompt.push(asked - sent);
        (warm ? toPaintedWarm : toPaintedCold).push(painted - sent);
        (warm ? pageWarm : pageCold).push(painted - asked);
        decisionBack.push(d.at - answered);
        const stages = new Map([...marks.of(d.m.requestId), ['bench.sent', sent], ['bench.answered', answered], ['bench.decision', d.at], ...pageStages(paint)]);
        (warm ? roundsWarm : roundsCold).push(stages);
      }
      // End the session and wait until the agent has closed it before the next request.
      const summary = tech.waitFor((m) => (m.type === 'session.summary' ? m : undefined));
      tech.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId: s.sessionId, by: 'technician' });
      await summary;
      await agent.idle();
      for (const page of openPages.splice(0)) await page.close();
    }
  }
  marks.stop();
  for (const t of techs) await t.close();
  await agent.stop();
  await bench.close();
  await consentWindow.close();

  const empty = await emptyPagePaints(Math.max(toPaintedWarm.length, 10));
  const emptyCold = { name: 'empty page opened and painted, same Chromium and harness', ...stats(empty.cold) };
  const emptyWarm = { name: 'empty page loaded in advance, view painted, same Chromium and harness', ...stats(empty.warm) };
  const allRounds = [...roundsWarm, ...roundsCold];
  const fsyncs = twoFsyncLatencies(Math.max(decisionBack.length, 100));
  const fsyncFloor = { name: 'two records written + fsynced in turn (raw, same disk)', ...stats(fsyncs) };
  const withStages = (row: BenchRow, stages: ReturnType<typeof stageRows>): BenchRow => ({ ...row, stages });
  return [
    latencyRow('technician request -> UI port showConsent (through the relay, SQLite on disk)', toPrompt, echo),
    latencyRow(emptyCold.name, empty.cold),
    latencyRow(emptyWarm.name, empty.warm),
    withStages(latencyRow('technician request -> consent painted in Chromium, page opened on arrival', toPaintedCold, emptyCold, { text: '< 300 ms p99', p99Below: 300 }), stageRows(roundsCold, [...REQUEST_STAGES, ...COLD_PAGE_STAGES, ...PAINT_STAGES])),
    withStages(latencyRow('technician request -> consent painted in Chromium, page loaded in advance', toPaintedWarm, emptyWarm, { text: '< 100 ms p99 and < 2x p50', p99Below: Math.min(100, 2 * stats(toPaintedWarm).p50) }), stageRows(roundsWarm, [...REQUEST_STAGES, ...WARM_PAGE_STAGES, ...PAINT_STAGES])),
    latencyRow('UI port showConsent -> consent painted, page opened on arrival', pageCold, emptyCold),
    latencyRow('UI port showConsent -> consent painted, page loaded in advance', pageWarm, emptyWarm),
    latencyRow(fsyncFloor.name, fsyncs),
    withStages(latencyRow('user answer -> technician has the decision (agent audit fsync + relay audit)', decisionBack, fsyncFloor, { text: '< 20 ms p99', p99Below: 20 }), stageRows(allRounds, DECISION_STAGES)),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { formatTable } = await import('./table.js');
  const { echoBaseline } = await import('./bare-ws-baselines.js');
  console.log(formatTable(await runAgentBench(await echoBaseline())));
}
