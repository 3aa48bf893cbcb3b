// Escalations can't be used to guess the confirmation code or to flood the
// user: a wrong code ends prompting for the session, escalations share the
// technician's prompt budget, and where the code is not secret from the remote
// viewer (escalationWhileControlled: 'decline') nothing is asked while control is live.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import type { Scope, ScopeRequestPayload } from '../../src/protocol/index.js';
import { recordsForTicket } from '../../src/core/audit/export.js';
import { startHarness, startLiveSession, type Harness, type HarnessOptions } from './agent-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

/** No prompt budget in the way, so a test sees only the defence it is about. */
const NO_RATE_LIMIT = { rateLimit: { prompts: 100, windowMinutes: 10, autoDeclineAfterDeclines: 100 } };

async function liveSession(scopes: Scope[], o: HarnessOptions = {}): Promise<string> {
  h = await startHarness(o);
  return startLiveSession(h, scopes);
}

/** Send one escalation; answer its prompt with `answer` if one appears. Resolves with its scope-update. */
async function escalate(sessionId: string, answer: (promptId: string, code: string | undefined) => void, overrides: Partial<ScopeRequestPayload> = {}) {
  const esc = h.escalation(sessionId, { scopes: ['file-transfer'], ...overrides });
  const before = h.ui.prompts.length;
  h.relay.sendScopeRequest(esc);
  const update = h.relay.waitFor('session.scope-update', (m) => m.requestId === esc.requestId);
  const prompted = await vi.waitFor(() => {
    if (h.ui.prompts.length > before) return true;
    if (h.relay.ofType('session.scope-update').some((m) => m.requestId === esc.requestId)) return false;
    throw new Error('not yet');
  });
  if (prompted) {
    const view = h.ui.prompts.at(-1)!;
    answer(view.promptId, view.confirmCode);
  }
  const u = await update;
  await h.agent.idle();
  return u;
}

const wrongCode = (id: string, code: string | undefined) => h.ui.answer(id, ['file-transfer'], { confirmCode: code === '000' ? '001' : '000' });

function escalationDecisions(ticketId: string) {
  return recordsForTicket(join(h.dataDir, 'audit'), ticketId).filter((r) => r.type === 'escalation.decision');
}

describe('a wrong confirmation code ends escalation prompts for the session', () => {
  it('50 escalations answered with wrong codes get one prompt; the rest decline unasked, and the user is told once', async () => {
    const sessionId = await liveSession(['view', 'control'], { policy: NO_RATE_LIMIT });
    for (let i = 0; i < 50; i++) expect(await escalate(sessionId, wrongCode)).toMatchObject({ change: 'escalation-declined', granted: ['view', 'control'] });
    expect(h.ui.prompts.filter((p) => p.kind === 'escalation')).toHaveLength(1);
    expect(h.agent.grants()).toEqual(['view', 'control']);
    const decisions = escalationDecisions(h.ui.prompts[0]!.ticket.id);
    expect(decisions).toHaveLength(50);
    for (const d of decisions) expect(d).toMatchObject({ decidedBy: 'policy', code: 'policy-blocked', detail: 'confirmation code mismatch' });
    const notices = h.ui.notifications.filter((n) => n.body.includes('confirmation code was wrong'));
    expect(notices).toEqual([{ kind: 'policy-block', title: 'Request for more access refused', body: 'A request for more access was refused: the confirmation code was wrong. If you did not type it, end the session.' }]);
  });

  it('counts the dialog giving up after too many wrong codes the same way', async () => {
    const sessionId = await liveSession(['view', 'admin'], { policy: NO_RATE_LIMIT });
    await escalate(sessionId, (id) => h.ui.answer(id, 'code-failed'));
    expect(await escalate(sessionId, (id, code) => h.ui.answer(id, ['file-transfer'], { confirmCode: code }))).toMatchObject({ change: 'escalation-declined' });
    expect(h.ui.prompts.filter((p) => p.kind === 'escalation')).toHaveLength(1);
    expect(h.agent.grants()).toEqual(['view', 'admin']);
  });

  it('a plain Decline (Escape, close) does not stop later prompts', async () => {
    const sessionId = await liveSession(['view', 'control'], { policy: NO_RATE_LIMIT });
    await escalate(sessionId, (id) => h.ui.answer(id, 'dismiss'));
    expect(await escalate(sessionId, (id, code) => h.ui.answer(id, ['file-transfer'], { confirmCode: code }))).toMatchObject({ change: 'escalation-accepted' });
    expect(h.ui.prompts.filter((p) => p.kind === 'escalation')).toHaveLength(2);
  });

  it('a new session starts with a clean slate', async () => {
    const sessionId = await liveSession(['view', 'control'], { policy: NO_RATE_LIMIT });
    await escalate(sessionId, wrongCode);
    h.relay.send({ v: 1, type: 'session.end', id: 'm-end-1', sessionId, by: 'technician' });
    await vi.waitFor(() => expect(h.agent.grants()).toEqual([]));
    const req = h.request({ scopes: ['view', 'control'] });
    h.relay.sendRequest(req);
    h.ui.answer((await vi.waitFor(() => h.ui.prompts.find((p) => p.kind === 'session' && p.promptId === req.requestId) ?? Promise.reject(new Error('none')))).promptId, ['view', 'control']);
    const next = await h.relay.waitFor('session.started', (m) => m.requestId === req.requestId);
    await h.agent.idle();
    expect(await escalate(next.sessionId, (id, code) => h.ui.answer(id, ['file-transfer'], { confirmCode: code }))).toMatchObject({ change: 'escalation-accepted' });
  });
});

describe('escalations share the technician prompt budget', () => {
  it('with the default budget (3 prompts per 10 minutes) the fourth prompt is not shown', async () => {
    // The session request was prompt 1; escalations that only extend time need no code.
    const sessionId = await liveSession(['view']);
    await escalate(sessionId, (id) => h.ui.answer(id, ['file-transfer']));
    await escalate(sessionId, (id) => h.ui.answer(id, ['control']), { scopes: ['control'] });
    const refused = await escalate(sessionId, () => {
      throw new Error('prompted past the budget');
    }, { scopes: ['admin'] });
    expect(refused).toMatchObject({ change: 'escalation-declined', granted: ['view', 'control', 'file-transfer'] });
    expect(h.ui.prompts).toHaveLength(3);
    expect(escalationDecisions(h.ui.prompts[0]!.ticket.id).at(-1)).toMatchObject({ decidedBy: 'rate-limit', code: 'rate-limited' });
  });

  it('declines without a prompt after repeated declines', async () => {
    const sessionId = await liveSession(['view'], { policy: { rateLimit: { prompts: 100, windowMinutes: 10, autoDeclineAfterDeclines: 2 } } });
    for (let i = 0; i < 2; i++) await escalate(sessionId, (id) => h.ui.answer(id, 'dismiss'));
    for (let i = 0; i < 10; i++) await escalate(sessionId, () => expect.unreachable('prompted after repeated declines'));
    expect(h.ui.prompts.filter((p) => p.kind === 'escalation')).toHaveLength(2);
  });
});

describe("escalationWhileControlled: 'decline' (the dialog is not hidden from the remote viewer)", () => {
  it('declines an escalation while control or admin is live without showing the dialog, and tells the user once', async () => {
    for (const held of [['view', 'control'], ['view', 'admin']] as Scope[][]) {
      const sessionId = await liveSession(held, { escalationWhileControlled: 'decline', policy: NO_RATE_LIMIT });
      for (let i = 0; i < 3; i++) {
        expect(await escalate(sessionId, () => expect.unreachable('the dialog was shown'))).toMatchObject({ change: 'escalation-declined', granted: held });
      }
      expect(h.ui.prompts.filter((p) => p.kind === 'escalation')).toHaveLength(0);
      expect(escalationDecisions(h.ui.prompts[0]!.ticket.id).at(-1)).toMatchObject({ decidedBy: 'policy', code: 'policy-blocked', detail: 'end the session or revoke control first' });
      expect(h.ui.notifications.filter((n) => n.body.includes('revoke control first'))).toHaveLength(1);
      await h.stop();
    }
  });

  it('asks as usual once control is revoked, and without a code', async () => {
    const sessionId = await liveSession(['view', 'control'], { escalationWhileControlled: 'decline', policy: NO_RATE_LIMIT });
    await h.agent.revokeScope(sessionId, 'control');
    expect(await escalate(sessionId, (id, code) => {
      expect(code).toBeUndefined();
      h.ui.answer(id, ['file-transfer']);
    })).toMatchObject({ change: 'escalation-accepted', granted: ['view', 'file-transfer'] });
  });
});
