// Ack before grant: a granting decision opens access gates and starts the
// session only once the relay said it recorded it (`session.recorded`). No
// answer in time, `audit-unavailable`, or the relay going away decline it
// before anything opened; the device log and the user say why.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultAuditDir } from '../../src/core/data-dir.js';
import type { Message } from '../../src/protocol/index.js';
import type { Scope } from '../../src/protocol/scopes.js';
import { hookDir, type HookDir } from './access/hook-scripts.js';
import { startHarness, startLiveSession, type Harness } from './agent-harness.js';

let h: Harness | undefined;
let hooks: HookDir | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
  hooks?.remove();
  hooks = undefined;
});

function auditTypes(dataDir: string): { type: string; [k: string]: unknown }[] {
  const dir = defaultAuditDir(dataDir);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as { type: string });
}

/** An agent whose `admin` scope has a real grant hook, against a stand-in that does not acknowledge by itself. */
async function gatedAgent(): Promise<Harness> {
  hooks = hookDir();
  const admin = { grant: [hooks.script('add.sh')], revoke: [hooks.script('remove.sh')], timeoutSec: 5 };
  h = await startHarness({ policy: { accessHooks: { admin } }, relayOptions: { acknowledge: false } });
  return h;
}

async function acceptedDecision(a: Harness, scopes: Scope[]): Promise<Message<'session.decision'>> {
  const req = a.request({ scopes, estimatedMinutes: 20 });
  a.relay.sendRequest(req);
  a.ui.answer((await a.ui.nextPrompt()).promptId, scopes);
  return a.relay.waitFor('session.decision', (m) => m.requestId === req.requestId);
}

describe('a granting decision waits for the relay to record it', () => {
  it('opens no gate and reports no start until session.recorded names it, then does both', async () => {
    const a = await gatedAgent();
    const decision = await acceptedDecision(a, ['view', 'admin']);
    expect(decision).toMatchObject({ outcome: 'accepted', granted: ['view', 'admin'] });
    // A frame handled after the decision is answered first: nothing was opened in between.
    a.relay.send({ v: 1, type: 'session.cancel', id: 'probe-1', requestId: 'no-such-request' });
    await a.relay.waitFor('error', (m) => m.re === 'probe-1');
    expect(hooks!.runs()).toEqual([]);
    expect(a.agent.grants()).toEqual([]);
    expect(a.agent.status().session).toBeUndefined();
    expect(a.relay.ofType('session.started')).toEqual([]);
    a.relay.send({ v: 1, type: 'session.recorded', id: 'rec-1', re: decision.id, agentSeq: decision.audit!.seq, record: { seq: 7, hash: 'a'.repeat(64) } });
    const started = await a.relay.waitFor('session.started');
    expect(started).toMatchObject({ sessionId: decision.sessionId, scopes: ['view', 'admin'] });
    expect(hooks!.runs()).toEqual([`grant admin ${decision.sessionId} INC0012345 alice`]);
    expect(auditTypes(a.dataDir).find((r) => r.type === 'consent.confirmed')).toMatchObject({ sessionId: decision.sessionId, relayRecord: { seq: 7 } });
  });

  it('declines when the relay does not confirm in time: nothing opened, the relay hears the session never started, the user is told', async () => {
    const a = await gatedAgent();
    const decision = await acceptedDecision(a, ['view', 'admin']);
    a.clock.advance(5_000);
    const end = await a.relay.waitFor('session.end', (m) => m.sessionId === decision.sessionId);
    expect(end).toMatchObject({ by: 'policy', reason: expect.stringContaining('declined (relay did not confirm)') });
    await a.agent.idle();
    expect(hooks!.runs()).toEqual([]);
    expect(a.relay.ofType('session.started')).toEqual([]);
    expect(a.agent.grants()).toEqual([]);
    expect(a.agent.status().session).toBeUndefined();
    expect(a.ui.notifications.map((n) => n.body)).toContainEqual(expect.stringContaining('declined (relay did not confirm).'));
    expect(auditTypes(a.dataDir).find((r) => r.type === 'consent.unconfirmed')).toMatchObject({ sessionId: decision.sessionId, outcome: 'declined' });
    // A late word from the relay changes nothing.
    a.relay.send({ v: 1, type: 'session.recorded', id: 'rec-late', re: decision.id });
    a.relay.send({ v: 1, type: 'session.cancel', id: 'probe-2', requestId: 'no-such-request' });
    await a.relay.waitFor('error', (m) => m.re === 'probe-2');
    await a.agent.idle();
    expect(hooks!.runs()).toEqual([]);
    expect(a.relay.ofType('session.started')).toEqual([]);
  });

  it('declines on audit-unavailable for the decision before anything opened, and says the relay could not record it', async () => {
    const a = await gatedAgent();
    const decision = await acceptedDecision(a, ['admin']);
    a.relay.send({ v: 1, type: 'error', id: 'e-1', code: 'audit-unavailable', detail: 'the relay cannot write its audit log (disk full)', re: decision.id });
    await vi.waitFor(() => expect(a.ui.notifications.map((n) => n.body)).toContainEqual(expect.stringContaining('could not record your decision')));
    await a.agent.idle();
    expect(hooks!.runs()).toEqual([]);
    expect(a.relay.ofType('session.started')).toEqual([]);
    expect(a.agent.status().session).toBeUndefined();
    expect(a.ui.notifications.map((n) => n.body)).toContainEqual(expect.stringContaining('declined (relay did not confirm).'));
    expect(auditTypes(a.dataDir).find((r) => r.type === 'consent.unconfirmed')).toMatchObject({ code: 'audit-unavailable' });
  });

  it('declines when the relay connection is lost while waiting', async () => {
    const a = await gatedAgent();
    await acceptedDecision(a, ['admin']);
    a.relay.dropAgent();
    await vi.waitFor(() => expect(auditTypes(a.dataDir).map((r) => r.type)).toContain('consent.unconfirmed'));
    await a.agent.idle();
    expect(hooks!.runs()).toEqual([]);
    expect(a.agent.status().session).toBeUndefined();
  });

  it("a session the relay ends by policy tells the user the relay's reason (IT withdrew the technician)", async () => {
    h = await startHarness();
    const sessionId = await startLiveSession(h, ['view']);
    const reason = "the technician's access was withdrawn by IT (account disabled)";
    h.relay.send({ v: 1, type: 'session.end', id: 'end-2', sessionId, by: 'policy', reason });
    await vi.waitFor(() => expect(h!.ui.notifications.map((n) => n.body)).toContainEqual(expect.stringMatching(/ended: the technician's access was withdrawn by IT \(account disabled\)\.$/)));
    expect(h.agent.status().session).toBeFalsy();
  });
});

/** A live view session on an agent with an admin hook; then the stand-in stops acknowledging and the user grants admin. */
async function escalatedToAdmin(): Promise<{ a: Harness; sessionId: string; update: Message<'session.scope-update'> }> {
  hooks = hookDir();
  const admin = { grant: [hooks.script('add.sh')], revoke: [hooks.script('remove.sh')], timeoutSec: 5 };
  const a = await startHarness({ policy: { accessHooks: { admin } } });
  h = a;
  const sessionId = await startLiveSession(a, ['view']);
  a.relay.acknowledge = false;
  a.relay.sendScopeRequest(a.escalation(sessionId, { scopes: ['view', 'admin'] }));
  const prompt = await vi.waitFor(() => a.ui.prompts.find((p) => p.kind === 'escalation') ?? Promise.reject(new Error('no escalation prompt')));
  a.ui.answer(prompt.promptId, ['admin']);
  const update = await a.relay.waitFor('session.scope-update', (m) => m.change === 'escalation-accepted');
  return { a, sessionId, update };
}

describe('more access mid-session also waits for the relay to record it', () => {
  it('the added scope takes effect only once session.recorded names the change', async () => {
    const { a, update } = await escalatedToAdmin();
    expect(update).toMatchObject({ scopes: ['admin'], granted: ['view', 'admin'] });
    a.relay.send({ v: 1, type: 'session.cancel', id: 'probe-e1', requestId: 'no-such-request' });
    await a.relay.waitFor('error', (m) => m.re === 'probe-e1');
    expect(a.agent.grants()).toEqual(['view']);
    a.relay.send({ v: 1, type: 'session.recorded', id: 'rec-e1', re: update.id, agentSeq: update.audit!.seq });
    await vi.waitFor(() => expect(a.agent.grants()).toEqual(['view', 'admin']));
    expect(hooks!.runs().map((r) => r.split(' ').slice(0, 2).join(' '))).toEqual(['grant admin']);
  });

  it('a change the relay could not record is undone: the hook is reverted, the session keeps what it had, the user is told', async () => {
    const { a, update } = await escalatedToAdmin();
    a.relay.send({ v: 1, type: 'error', id: 'e-2', code: 'audit-unavailable', detail: 'disk full', re: update.id });
    await vi.waitFor(() => expect(auditTypes(a.dataDir).map((r) => r.type)).toContain('escalation.unconfirmed'));
    await a.agent.idle();
    expect(a.agent.grants()).toEqual(['view']);
    expect(hooks!.runs().map((r) => r.split(' ').slice(0, 2).join(' '))).toEqual(['grant admin', 'revoke admin']);
    expect(a.ui.notifications.map((n) => n.body)).toContainEqual(expect.stringContaining('declined (relay did not confirm): the relay could not record it'));
    // The relay that could not write forwarded nothing: no narrowing is sent for it.
    expect(a.relay.ofType('session.scope-update').filter((m) => m.change === 'revoked')).toEqual([]);
  });

  it('a change the relay did not confirm in time is undone and the relay hears those scopes are not granted', async () => {
    const { a, update } = await escalatedToAdmin();
    a.clock.advance(5_000);
    const back = await a.relay.waitFor('session.scope-update', (m) => m.change === 'revoked');
    expect(back).toMatchObject({ scopes: ['admin'], granted: ['view'], requestId: update.requestId });
    await a.agent.idle();
    expect(a.agent.grants()).toEqual(['view']);
    expect(hooks!.runs().map((r) => r.split(' ').slice(0, 2).join(' '))).toEqual(['grant admin', 'revoke admin']);
    expect(auditTypes(a.dataDir).find((r) => r.type === 'escalation.unconfirmed')).toMatchObject({ scopes: ['admin'], granted: ['view'] });
  });
});
