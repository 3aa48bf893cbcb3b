// Consent that opens and closes access: a real agent against the relay
// stand-in, with admin hooks that are real scripts in a temp dir.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultAuditDir } from '../../../src/core/data-dir.js';
import type { AccessHook } from '../../../src/core/policy/schema.js';
import type { Scope } from '../../../src/protocol/scopes.js';
import { startHarness, startLiveSession, type Harness } from '../agent-harness.js';
import { hookDir, type HookDir } from './hook-scripts.js';

let h: Harness | undefined;
let hooks: HookDir;
afterEach(async () => {
  await h?.stop();
  h = undefined;
  hooks?.remove();
});

interface AuditLine {
  seq: number;
  type: string;
  [k: string]: unknown;
}

function auditRecords(dataDir: string): AuditLine[] {
  const dir = defaultAuditDir(dataDir);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as AuditLine);
}

type MoreHooks = (dir: HookDir) => Partial<Record<Scope, AccessHook>>;

async function agentWithAdminHook(grantBody = 'exit 0', more: MoreHooks = () => ({})): Promise<Harness> {
  hooks = hookDir();
  const admin = { grant: [hooks.script('add.sh', grantBody)], revoke: [hooks.script('remove.sh')], timeoutSec: 5 };
  h = await startHarness({ policy: { accessHooks: { admin, ...more(hooks) } } });
  return h;
}

async function decisionFor(harness: Harness, scopes: Scope[]) {
  const req = harness.request({ scopes, estimatedMinutes: 20 });
  harness.relay.sendRequest(req);
  harness.ui.answer((await harness.ui.nextPrompt()).promptId, scopes);
  const decision = await harness.relay.waitFor('session.decision', (m) => m.requestId === req.requestId);
  await harness.agent.idle();
  return decision;
}

describe.skipIf(process.platform === 'win32')('access gates in a session', () => {
  it('runs the admin grant hook only after the relay confirmed the decision, then reports the session started', async () => {
    const a = await agentWithAdminHook();
    const decision = await decisionFor(a, ['view', 'admin']);
    expect(decision).toMatchObject({ outcome: 'accepted', granted: ['view', 'admin'] });
    expect(await a.relay.waitFor('session.started')).toMatchObject({ sessionId: decision.sessionId, scopes: ['view', 'admin'] });
    expect(hooks.runs()).toEqual([`grant admin ${decision.sessionId} INC0012345 alice`]);
    const types = auditRecords(a.dataDir).map((r) => r.type);
    expect(types.indexOf('consent.confirmed')).toBeGreaterThan(types.indexOf('consent.decision'));
    expect(types.indexOf('gate.opening')).toBeGreaterThan(types.indexOf('consent.confirmed'));
    expect(types.indexOf('gate.opened')).toBeGreaterThan(types.indexOf('gate.opening'));
    expect(types.indexOf('session.started')).toBeGreaterThan(types.indexOf('gate.opened'));
  });

  it('leaves a scope whose hook failed not granted, tells the user in words, audits it and undoes the half-applied hook', async () => {
    const a = await agentWithAdminHook('echo "group wheel missing" >&2; exit 1');
    const decision = await decisionFor(a, ['view', 'admin']);
    expect(decision).toMatchObject({ outcome: 'accepted', granted: ['view', 'admin'] });
    // The decision is what the user consented to; the start says what the device applied.
    expect(await a.relay.waitFor('session.started')).toMatchObject({ sessionId: decision.sessionId, scopes: ['view'] });
    expect(a.agent.grants()).toEqual(['view']);
    const note = a.ui.notifications.find((n) => n.title === 'Access could not be opened');
    expect(note?.body).toContain('administrator access for Alice');
    expect(note?.body).not.toContain('wheel');
    const failed = auditRecords(a.dataDir).find((r) => r.type === 'gate.failed');
    expect(failed).toMatchObject({ scope: 'admin', code: 'gate-failed', exitCode: 1, stderr: 'group wheel missing\n' });
    expect(hooks.runs().map((r) => r.split(' ')[0])).toEqual(['grant', 'revoke']);
  });

  it('declines the whole request when the only gated scope fails', async () => {
    const a = await agentWithAdminHook('exit 7');
    const decision = await decisionFor(a, ['admin']);
    expect(decision).toMatchObject({ outcome: 'accepted', granted: ['admin'] });
    const end = await a.relay.waitFor('session.end', (m) => m.sessionId === decision.sessionId);
    expect(end).toMatchObject({ by: 'policy', reason: 'not applied on the device: admin (gate-failed)' });
    expect(a.relay.ofType('session.started')).toEqual([]);
    expect(a.agent.status().session).toBeUndefined();
  });

  it('keeps consent-only behaviour for scopes without a gate: no hook, no gate records', async () => {
    const a = await agentWithAdminHook();
    const decision = await decisionFor(a, ['view', 'control']);
    expect(decision).toMatchObject({ outcome: 'accepted', granted: ['view', 'control'] });
    expect(hooks.runs()).toEqual([]);
    expect(auditRecords(a.dataDir).filter((r) => r.type === 'gate.opening')).toEqual([]);
  });

  it('runs the revoke hook when the user revokes the scope', async () => {
    const a = await agentWithAdminHook();
    const sessionId = await startLiveSession(a, ['view', 'admin']);
    await a.agent.revokeScope(sessionId, 'admin');
    expect(hooks.runs()).toEqual([`grant admin ${sessionId} INC0012345 alice`, `revoke admin ${sessionId} INC0012345 alice`]);
    expect(await a.relay.waitFor('session.scope-update', (m) => m.change === 'revoked')).toMatchObject({ scopes: ['admin'] });
  });

  const endings: [string, (a: Harness, sessionId: string) => Promise<unknown>][] = [
    ['the user ends the session', (a, id) => a.agent.endSession(id)],
    ['the granted time is over', async (a) => {
      a.clock.advance(21 * 60_000);
      await a.agent.idle();
    }],
    ['the relay is lost', async (a) => {
      a.relay.dropAgent();
      await vi.waitFor(() => expect(a.agent.status().session).toBeUndefined(), { timeout: 3000 });
      await a.agent.idle();
    }],
    ['the agent exits', (a) => a.agent.stop()],
  ];
  for (const [when, end] of endings) {
    it(`runs the revoke hook when ${when}`, async () => {
      const a = await agentWithAdminHook();
      const sessionId = await startLiveSession(a, ['view', 'admin']);
      await end(a, sessionId);
      expect(hooks.runs()).toEqual([`grant admin ${sessionId} INC0012345 alice`, `revoke admin ${sessionId} INC0012345 alice`]);
      expect(auditRecords(a.dataDir).find((r) => r.type === 'gate.session-closed')).toMatchObject({ sessionId });
    });
  }

  it('runs the grant hook for an escalation before the scope is reported granted, and refuses it if the hook fails', async () => {
    const a = await agentWithAdminHook('exit 0', (d) => ({
      'file-transfer': { grant: [d.script('ft-on.sh', 'exit 2')], revoke: [d.script('ft-off.sh')], timeoutSec: 5 },
    }));
    const sessionId = await startLiveSession(a, ['view']);
    a.relay.sendScopeRequest(a.escalation(sessionId, { scopes: ['view', 'admin', 'file-transfer'] }));
    const prompt = await vi.waitFor(() => a.ui.prompts.find((p) => p.kind === 'escalation') ?? Promise.reject(new Error('no escalation prompt')));
    a.ui.answer(prompt.promptId, ['admin', 'file-transfer']);
    const update = await a.relay.waitFor('session.scope-update');
    expect(update).toMatchObject({ change: 'escalation-partial', scopes: ['admin'], granted: ['view', 'admin'] });
    await a.agent.idle();
    expect(a.agent.grants()).toEqual(['view', 'admin']);
    expect(hooks.runs().map((r) => r.split(' ').slice(0, 2).join(' '))).toEqual(['grant admin', 'grant file-transfer', 'revoke file-transfer']);
  });

  it('closes what a grant hook opened when the relay is lost while it runs, and grants nothing', async () => {
    const a = await agentWithAdminHook(`sleep 0.3`);
    const req = a.request({ scopes: ['admin'], estimatedMinutes: 20 });
    a.relay.sendRequest(req);
    a.ui.answer((await a.ui.nextPrompt()).promptId, ['admin']);
    await vi.waitFor(() => expect(hooks.runs()).toHaveLength(1), { timeout: 3000 });
    a.relay.dropAgent();
    await vi.waitFor(() => expect(hooks.runs().map((r) => r.split(' ')[0])).toEqual(['grant', 'revoke']), { timeout: 3000 });
    await a.agent.idle();
    expect(a.agent.grants()).toEqual([]);
    expect(a.agent.status().session).toBeUndefined();
    expect(a.relay.ofType('session.started')).toEqual([]);
    expect(auditRecords(a.dataDir).find((r) => r.type === 'session.not-started')).toBeDefined();
  });
});
