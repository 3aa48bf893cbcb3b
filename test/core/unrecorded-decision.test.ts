// The relay answers a granting decision with `audit-unavailable` (its audit
// could not record it): the agent ends that session at once, takes the grants
// away, tells the user and reports the end. Other errors leave the session alone.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../../src/protocol/index.js';
import { startHarness, startLiveSession, type Harness } from './agent-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

function sentDecision(h: Harness): Message<'session.decision'> {
  const d = h.relay.received.find((m): m is Message<'session.decision'> => m.type === 'session.decision');
  if (!d) throw new Error(`no decision sent; relay saw ${h.relay.received.map((m) => m.type).join(', ')}`);
  return d;
}

describe('a decision the relay could not record', () => {
  it('ends the session it opened, and the user is told', async () => {
    h = await startHarness();
    const sessionId = await startLiveSession(h, ['view', 'control']);
    const decision = sentDecision(h);
    expect(decision.sessionId).toBe(sessionId);
    const ended = h.relay.waitFor('session.end');
    h.relay.send({ v: 1, type: 'error', id: 'e-1', code: 'audit-unavailable', detail: 'the relay cannot write its audit log (disk full)', re: decision.id });
    expect(await ended).toMatchObject({ sessionId, by: 'policy', reason: expect.stringContaining('could not record the decision') });
    await h.agent.idle();
    expect(h.agent.status().session).toBeFalsy();
    await vi.waitFor(() => expect(h.ui.notifications.map((n) => n.title)).toContain('Remote support session stopped'));
  });

  it("a session the relay ends by policy tells the user the relay's reason (IT withdrew the technician)", async () => {
    h = await startHarness();
    const sessionId = await startLiveSession(h, ['view']);
    const reason = "the technician's access was withdrawn by IT (account disabled)";
    h.relay.send({ v: 1, type: 'session.end', id: 'end-2', sessionId, by: 'policy', reason });
    await vi.waitFor(() => expect(h.ui.notifications.map((n) => n.body)).toContainEqual(expect.stringMatching(/ended: the technician's access was withdrawn by IT \(account disabled\)\.$/)));
    expect(h.agent.status().session).toBeFalsy();
  });

  it('keeps the session on any other error about that decision', async () => {
    h = await startHarness();
    const sessionId = await startLiveSession(h, ['view']);
    h.relay.send({ v: 1, type: 'error', id: 'e-2', code: 'rate-limited', detail: 'slow down', re: sentDecision(h).id });
    // Frames are handled in order: the session is still live when the technician ends it next.
    const summary = h.relay.waitFor('session.summary');
    h.relay.send({ v: 1, type: 'session.end', id: 'end-1', sessionId, by: 'technician' });
    expect((await summary).summary).toMatchObject({ sessionId, endedBy: 'technician' });
  });
});
