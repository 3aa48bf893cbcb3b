// Fuzz, agent side: hostile relay frames (fast-check, fixed seed) into the
// agent. The bulk goes through exactly what the agent's socket handler does
// (parseFrame with the agent's accept list, a typed error for anything bad,
// AgentCore.handle for the rest) on a real core with a live session to hit;
// a smaller share goes over a real WebSocket into a real createAgent from the
// relay stand-in. Zero crashes; every reply a valid message, every refusal a
// typed error with a stable code; a grant only from a validly signed request.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentCore } from '../../src/core/agent-core.js';
import type { AuditSink } from '../../src/core/audit/audit-log.js';
import { GENESIS_HASH, sealRecord, type AuditRecord } from '../../src/protocol/agent-audit-record.js';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import type { UiPort } from '../../src/core/ui-port.js';
import { HonouredApprovals } from '../../src/core/verification/honoured-approvals.js';
import { ReplayCache } from '../../src/core/verification/replay-cache.js';
import { ACCEPTED_BY, ERROR_CODES, MAX_FRAME_BYTES, encodeFrame, errorMessage, newMessageId, parseFrame, type Message } from '../../src/protocol/index.js';
import { bannerViewSchema, consentViewSchema, summaryViewSchema } from '../../src/shared/view-models.js';
import { approvalsKey, relayKey } from '../fixtures/sample-messages.js';
import { FakeClock } from '../core/fake-clock.js';
import { startHarness, type Harness } from '../core/agent-harness.js';
import { arbitraryFrameFor, FUZZ_SEED } from './arbitrary-frame.js';

const agentFrame = arbitraryFrameFor(ACCEPTED_BY.agentFromRelay);

const BULK = Number(process.env.PORCHLIGHT_FUZZ_AGENT_BULK ?? 60_000);
const OVER_SOCKET = Number(process.env.PORCHLIGHT_FUZZ_AGENT_SOCKET ?? 3_000);

let h: Harness | undefined;
afterAll(async () => h?.stop());

/** A core whose every side effect is checked: views against their schemas, audit fields canonicalizable, sends encodable. */
function checkedCore() {
  const clock = new FakeClock(Date.parse('2026-11-24T10:00:00.000Z'));
  const sent: Message[] = [];
  let prev: AuditRecord | undefined;
  const audit: AuditSink = {
    async append(type, fields = {}) {
      prev = sealRecord((prev?.seq ?? 0) + 1, new Date(clock.now()).toISOString(), type, fields, prev?.hash ?? GENESIS_HASH);
      return prev;
    },
  };
  // The user grants whatever is asked, so the fuzzer reaches a live session.
  const ui: UiPort = {
    setStatus: () => undefined,
    showConsent: async (view) => ({ kind: 'decision', promptId: consentViewSchema.parse(view).promptId, granted: view.scopes }),
    showBanner: (v) => void bannerViewSchema.parse(v),
    hideBanner: () => undefined,
    showSummary: (v) => void summaryViewSchema.parse(v),
    notify: () => undefined,
  };
  const core = new AgentCore({
    policy: { ...DEFAULT_POLICY, relayPublicKey: relayKey.publicKey, approvalsPublicKey: approvalsKey.publicKey, unattendedAllowed: true, unattendedGroups: ['helpdesk'], emergencyAllowed: true },
    ui,
    audit,
    // On tmpfs where there is one: the cache fsyncs each nonce, and disk latency is not what this run measures.
    replay: ReplayCache.open(join(mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'pl-fuzz-agent-')), 'replay-cache.json'), clock),
    honoured: HonouredApprovals.open(join(mkdtempSync(join(tmpdir(), 'pl-fuzz-honoured-')), 'honoured-approvals.json'), clock),
    deviceId: 'dev-0001',
    clock,
    presence: 'interactive',
    // The fixtures' session id, so fuzzed narration, transfers and escalations hit the live session.
    newSessionId: () => 'ses-0001',
    send: (m) => {
      encodeFrame(m); // throws if the agent would put an invalid message on the wire
      sent.push(m);
      // As the relay does once it recorded a decision: only then does the agent open what was granted.
      // (The clock here is fake, so an unacknowledged decision would wait for ever.)
      if (m.type === 'session.decision') setImmediate(() => void core.handle({ v: 1, type: 'session.recorded', id: newMessageId(), re: m.id, requestId: m.requestId }));
      return true;
    },
  });
  return { core, sent };
}

describe('fuzz: hostile relay frames into the agent', () => {
  it(`${BULK} frames through the agent's parse + dispatch on a real core: no crash, typed errors, no unearned grant`, async () => {
    console.log(`agent fuzz: seed ${FUZZ_SEED}, ${BULK} frames through parse + dispatch`);
    const { core, sent } = checkedCore();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const frames = fc.sample(agentFrame, { numRuns: BULK, seed: FUZZ_SEED });
    let refused = 0;
    let dispatched = 0;
    for (const frame of frames) {
      const text = typeof frame === 'string' ? frame : frame.toString('utf8');
      const parsed = parseFrame(text, ACCEPTED_BY.agentFromRelay);
      if (!parsed.ok) {
        const reply = errorMessage(parsed.code, parsed.detail, parsed.re);
        expect(parseFrame(encodeFrame(reply))).toMatchObject({ ok: true });
        expect(ERROR_CODES).toContain(parsed.code);
        refused++;
        continue;
      }
      if (parsed.msg.type === 'welcome') continue;
      dispatched++;
      await core.handle(parsed.msg as Parameters<AgentCore['handle']>[0]);
    }
    await core.idle();
    const used = process.cpuUsage(cpu);
    console.log(`agent fuzz: ${refused} refused with typed errors, ${dispatched} dispatched to the core, ${sent.length} messages sent back; ${Math.round(performance.now() - started)} ms wall, ${Math.round((used.user + used.system) / 1000)} ms CPU`);
    expect(refused + dispatched).toBeGreaterThan(BULK * 0.9);
    for (const m of sent.filter((x) => x.type === 'error')) expect(ERROR_CODES).toContain((m as Message<'error'>).code);
    // Only the one validly signed, fresh request in the corpus can ever be granted (replays are blocked).
    const granted = sent.filter((m): m is Message<'session.decision'> => m.type === 'session.decision' && m.granted.length > 0);
    expect(new Set(granted.map((d) => d.requestId)).size).toBeLessThanOrEqual(1);
    expect(granted.length).toBeLessThanOrEqual(1);
  }, 120_000);

  it(`${OVER_SOCKET} frames over a real socket into createAgent: connection survives, every reply valid`, async () => {
    console.log(`agent fuzz over sockets: seed ${FUZZ_SEED + 1}, ${OVER_SOCKET} frames`);
    h = await startHarness();
    const relay = h.relay;
    // Oversize frames close the connection by design (attack suite); keep this run on one connection.
    const frames = fc.sample(agentFrame, { numRuns: OVER_SOCKET, seed: FUZZ_SEED + 1 }).filter((f) => Buffer.byteLength(f) <= MAX_FRAME_BYTES - 1024);
    let probe = 0;
    for (let i = 0; i < frames.length; i += 250) {
      for (const f of frames.slice(i, i + 250)) relay.sendRaw(f as string);
      const id = `probe-${++probe}`;
      relay.send({ v: 1, type: 'session.cancel', id, requestId: 'no-such-request' });
      expect(await relay.waitFor('error', (e) => e.re === id)).toMatchObject({ code: 'unknown-session' });
    }
    await h.agent.idle();
    expect(relay.badFrames).toEqual([]);
    expect(relay.hellos).toHaveLength(1);
    expect(h.agent.status().connection).toBe('connected');
    for (const e of relay.ofType('error')) expect(ERROR_CODES).toContain(e.code);
    expect(relay.ofType('session.decision').filter((d) => d.granted.length > 0)).toEqual([]);
    console.log(`agent fuzz over sockets: ${relay.received.length} replies, ${relay.ofType('error').length} typed errors`);
  }, 120_000);
});
