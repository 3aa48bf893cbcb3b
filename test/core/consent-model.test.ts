// Model-based test of the consent/session state machine (AgentCore with a real
// audit log, a scripted UI and a hand-driven clock). Invariants after every step:
// - no scope is granted unless the user accepted that very scope for this session;
// - every message reached the relay only after its audit record was on disk;
// - at most one prompt is on screen;
// - after the session ends (user, expiry, relay loss, stop) nothing is granted.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentCore } from '../../src/core/agent-core.js';
import { AuditLog } from '../../src/core/audit/audit-log.js';
import { listAuditFiles } from '../../src/core/audit/audit-files.js';
import { verifyAuditLog } from '../../src/core/audit/verify.js';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import { HonouredApprovals } from '../../src/core/verification/honoured-approvals.js';
import { ReplayCache } from '../../src/core/verification/replay-cache.js';
import { SCOPES, signScopeRequest, signSessionRequest, type Message, type Scope } from '../../src/protocol/index.js';
import { relayKey, requestPayload, scopeRequestPayload } from '../fixtures/sample-messages.js';
import { freshNonce } from './agent-harness.js';
import { FakeClock } from './fake-clock.js';
import { ScriptedUi } from './scripted-ui.js';

const root = mkdtempSync(join(tmpdir(), 'pl-model-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface World {
  core: AgentCore;
  ui: ScriptedUi;
  clock: FakeClock;
  audit: AuditLog;
  auditDir: string;
  sent: Message[];
  violations: string[];
  /** Scopes the user accepted, per session id. */
  accepted: Map<string, Set<Scope>>;
  /** Scopes the user accepted per prompt id (request id), before the session id is known. */
  acceptedByPrompt: Map<string, Scope[]>;
  n: number;
}

const settle = async (w: World) => {
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setImmediate(r));
    await w.core.idle();
  }
};

function durableMsgIds(dir: string): Set<string> {
  const ids = new Set<string>();
  for (const f of listAuditFiles(dir)) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const m = /"msgId":"([^"]+)"/.exec(line);
      if (m && line.endsWith('}')) ids.add(m[1]!);
    }
  }
  return ids;
}

function liveSessionId(w: World): string | undefined {
  return w.core.status().session?.sessionId;
}

type Cmd = fc.AsyncCommand<object, World>;
const cmd = (name: string, run: (w: World) => Promise<void>): Cmd => ({ check: () => true, run: async (_m, w) => { await run(w); await settle(w); checkInvariants(w); }, toString: () => name });

function checkInvariants(w: World): void {
  expect(w.violations).toEqual([]);
  expect(w.ui.openPrompts).toBeLessThanOrEqual(1);
  const sid = liveSessionId(w);
  const grants = w.core.grants();
  if (!sid) {
    expect(grants).toEqual([]);
    return;
  }
  const ok = w.accepted.get(sid) ?? new Set();
  for (const g of grants) expect(ok.has(g), `scope ${g} granted without accept`).toBe(true);
}

const scopesArb = fc.subarray([...SCOPES], { minLength: 1 });

const commands = [
  fc.tuple(scopesArb, fc.integer({ min: 0, max: 2 })).map(([scopes, tech]) =>
    cmd(`request(${scopes.join('+')}, t${tech})`, async (w) => {
      const now = w.clock.now();
      const p = requestPayload({ requestId: `r${++w.n}`, scopes, technician: { id: `t${tech}`, name: `Tech ${tech}`, group: 'helpdesk' }, nonce: freshNonce(), issuedAt: new Date(now).toISOString(), expiresAt: new Date(now + 120_000).toISOString() });
      await w.core.handle(signSessionRequest(p, relayKey));
    }),
  ),
  fc.subarray([...SCOPES]).map((granted) =>
    cmd(`answer(${granted.join('+') || 'none'})`, async (w) => {
      if (w.ui.openPrompts === 0) return;
      const view = await w.ui.nextPrompt();
      const kept = view.scopes.filter((s) => granted.includes(s));
      if (view.kind === 'session') w.acceptedByPrompt.set(view.promptId, kept);
      else if (view.sessionId) for (const s of kept) w.accepted.get(view.sessionId)?.add(s);
      w.ui.answer(view.promptId, granted);
    }),
  ),
  fc.constant(cmd('dismiss', async (w) => {
    if (w.ui.openPrompts > 0) w.ui.answer((await w.ui.nextPrompt()).promptId, 'dismiss');
  })),
  fc.integer({ min: 1, max: 70 * 60_000 }).map((ms) =>
    cmd(`advance(${ms})`, async (w) => {
      const endsAt = w.core.status().session?.endsAt;
      w.clock.advance(ms);
      await settle(w);
      if (endsAt && Date.parse(endsAt) <= w.clock.now()) expect(w.core.status().session, 'session outlived its time').toBeUndefined();
    }),
  ),
  fc.constantFrom(...SCOPES).map((s) => cmd(`revoke(${s})`, async (w) => {
    const sid = liveSessionId(w);
    if (sid) await w.core.revokeScope(sid, s);
  })),
  fc.constant(cmd('end', async (w) => {
    const sid = liveSessionId(w);
    if (sid) await w.core.endSession(sid);
    expect(w.core.status().session).toBeUndefined();
  })),
  scopesArb.map((scopes) => cmd(`escalate(${scopes.join('+')})`, async (w) => {
    const sid = liveSessionId(w);
    if (!sid) return;
    const now = w.clock.now();
    const p = scopeRequestPayload({ requestId: `e${++w.n}`, sessionId: sid, scopes, technician: { id: 'alice', name: 'Alice Moreau', group: 'helpdesk' }, nonce: freshNonce(), issuedAt: new Date(now).toISOString(), expiresAt: new Date(now + 120_000).toISOString() });
    await w.core.handle(signScopeRequest(p, relayKey));
  })),
  fc.constant(cmd('relay-lost', async (w) => {
    await w.core.relayLost();
    await settle(w);
    expect(w.core.status().session, 'session survived relay loss').toBeUndefined();
    expect(w.ui.openPrompts).toBe(0);
  })),
];

async function makeWorld(i: number): Promise<World> {
  const dir = join(root, `run-${i}`);
  const auditDir = join(dir, 'audit');
  const clock = new FakeClock();
  const audit = await AuditLog.open({ dir: auditDir, clock });
  const ui = new ScriptedUi();
  const w = { ui, clock, audit, auditDir, sent: [], violations: [], accepted: new Map(), acceptedByPrompt: new Map(), n: 0 } as unknown as World;
  w.core = new AgentCore({
    policy: { ...DEFAULT_POLICY, relayPublicKey: relayKey.publicKey, queueSize: 2, rateLimit: { prompts: 5, windowMinutes: 10, autoDeclineAfterDeclines: 3 } },
    ui,
    audit,
    replay: ReplayCache.open(join(dir, 'replay.json'), clock),
    honoured: HonouredApprovals.open(join(dir, 'honoured-approvals.json'), clock),
    deviceId: 'dev-0001',
    clock,
    presence: 'interactive',
    send: (msg) => {
      if (!durableMsgIds(auditDir).has(msg.id)) w.violations.push(`${msg.type} ${msg.id} sent before its audit record`);
      if (msg.type === 'session.decision' && msg.sessionId) {
        const ok = w.acceptedByPrompt.get(msg.requestId) ?? [];
        for (const g of msg.granted) if (!ok.includes(g)) w.violations.push(`decision grants ${g} without accept`);
        w.accepted.set(msg.sessionId, new Set(msg.granted));
        // The relay's word that it recorded the decision: only then is the grant applied.
        const recorded: Message<'session.recorded'> = { v: 1, type: 'session.recorded', id: `rec-${msg.id}`, re: msg.id };
        setImmediate(() => void w.core.handle(recorded));
      }
      w.sent.push(msg);
      return true;
    },
  });
  return w;
}

describe('consent and session state machine (model-based)', () => {
  it('never grants without accept, reports only after the audit record, and drops grants at session end', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), async (cmds) => {
        const w = await makeWorld(run++);
        await fc.asyncModelRun(() => ({ model: {}, real: w }), cmds);
        await w.core.stop();
        await settle(w);
        expect(w.core.grants()).toEqual([]);
        expect(w.violations).toEqual([]);
        await w.audit.close();
        expect(verifyAuditLog(w.auditDir).ok).toBe(true);
      }),
      { seed: 20261124, numRuns: 60 },
    );
  }, 120_000);
});
