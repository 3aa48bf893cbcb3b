import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyAuditLog } from '../../src/core/audit/verify.js';
import { recordsForTicket } from '../../src/core/audit/export.js';
import { join } from 'node:path';
import { startHarness, type Harness } from './agent-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

describe('attended consent', () => {
  it('starts a session with exactly the scopes the user accepted', async () => {
    h = await startHarness();
    const req = h.request({ scopes: ['view', 'control'] });
    h.relay.sendRequest(req);
    const view = await h.ui.nextPrompt();
    expect(view).toMatchObject({ kind: 'session', promptId: req.requestId, scopes: ['view', 'control'], verificationCode: req.verificationCode, technician: req.technician, mode: { kind: 'attended' } });
    h.ui.answer(view.promptId, ['view', 'control']);
    const decision = await h.relay.waitFor('session.decision');
    expect(decision).toMatchObject({ requestId: req.requestId, outcome: 'accepted', granted: ['view', 'control'], declined: [], decidedBy: 'user', grantedMinutes: 20 });
    const started = await h.relay.waitFor('session.started');
    expect(started).toMatchObject({ sessionId: decision.sessionId, scopes: ['view', 'control'], mode: 'attended' });
    await h.agent.idle();
    expect(h.agent.grants()).toEqual(['view', 'control']);
    expect(h.ui.banners.at(-1)).toMatchObject({ sessionId: decision.sessionId, granted: ['view', 'control'] });
    expect(h.agent.status().session).toMatchObject({ sessionId: decision.sessionId, ticketId: 'INC0012345' });
    const audit = join(h.dataDir, 'audit');
    expect(verifyAuditLog(audit).ok).toBe(true);
    expect(recordsForTicket(audit, 'INC0012345').map((r) => r.type)).toEqual(['request.received', 'consent.decision', 'consent.confirmed', 'session.started']);
  });

  it('grants only the accepted scopes on a partial accept', async () => {
    h = await startHarness();
    h.relay.sendRequest(h.request({ scopes: ['view', 'control', 'admin'] }));
    const view = await h.ui.nextPrompt();
    h.ui.answer(view.promptId, ['view']);
    const d = await h.relay.waitFor('session.decision');
    expect(d).toMatchObject({ outcome: 'partial', granted: ['view'], declined: ['control', 'admin'] });
    await h.relay.waitFor('session.started');
    expect(h.agent.grants()).toEqual(['view']);
  });

  it('never grants a scope that was not requested, even if the UI answers with it', async () => {
    h = await startHarness();
    h.relay.sendRequest(h.request({ scopes: ['view'] }));
    const view = await h.ui.nextPrompt();
    h.ui.answer(view.promptId, ['view', 'admin']);
    expect(await h.relay.waitFor('session.decision')).toMatchObject({ outcome: 'accepted', granted: ['view'] });
  });

  it('does not offer scopes that policy removed, and shows them as blocked', async () => {
    h = await startHarness({ policy: { allowedScopes: ['view', 'control'] } });
    h.relay.sendRequest(h.request({ scopes: ['view', 'admin'] }));
    const view = await h.ui.nextPrompt();
    expect(view.scopes).toEqual(['view']);
    expect(view.blockedScopes).toEqual(['admin']);
    h.ui.answer(view.promptId, ['view', 'admin']);
    expect(await h.relay.waitFor('session.decision')).toMatchObject({ outcome: 'partial', granted: ['view'], declined: ['admin'] });
  });

  it('declines when the user grants nothing', async () => {
    h = await startHarness();
    h.relay.sendRequest(h.request());
    h.ui.answer((await h.ui.nextPrompt()).promptId, []);
    expect(await h.relay.waitFor('session.decision')).toMatchObject({ outcome: 'declined', granted: [], declined: ['view', 'control'], decidedBy: 'user' });
    await h.agent.idle();
    expect(h.relay.ofType('session.started')).toHaveLength(0);
    expect(h.agent.grants()).toEqual([]);
  });

  it('declines when the dialog is closed', async () => {
    h = await startHarness();
    h.relay.sendRequest(h.request());
    h.ui.answer((await h.ui.nextPrompt()).promptId, 'dismiss');
    expect(await h.relay.waitFor('session.decision')).toMatchObject({ outcome: 'declined', decidedBy: 'dialog-closed' });
  });

  it('declines when nobody answers before the prompt times out', async () => {
    h = await startHarness({ policy: { promptTimeoutSec: 60 } });
    h.relay.sendRequest(h.request());
    const view = await h.ui.nextPrompt();
    h.clock.advance(59_000);
    expect(h.ui.openPrompts).toBe(1);
    h.clock.advance(1_000);
    expect(await h.relay.waitFor('session.decision')).toMatchObject({ outcome: 'declined', decidedBy: 'timeout' });
    expect(h.ui.aborted).toEqual([{ promptId: view.promptId, reason: 'timeout' }]);
  });

  it('declines when the technician cancels the request', async () => {
    h = await startHarness();
    const req = h.request();
    h.relay.sendRequest(req);
    await h.ui.nextPrompt();
    h.relay.send({ v: 1, type: 'session.cancel', id: 'c-1', requestId: req.requestId });
    expect(await h.relay.waitFor('session.decision')).toMatchObject({ outcome: 'declined', decidedBy: 'cancelled' });
  });

  it('shows one prompt at a time and declines what overflows the queue', async () => {
    h = await startHarness({ policy: { queueSize: 1 } });
    const tech = (id: string) => ({ id, name: `Tech ${id}`, group: 'helpdesk' });
    const [a, b, c] = [h.request({ technician: tech('a') }), h.request({ technician: tech('b') }), h.request({ technician: tech('c') })];
    for (const r of [a, b, c]) h.relay.sendRequest(r);
    expect(await h.relay.waitFor('session.decision', (d) => d.requestId === c.requestId)).toMatchObject({ outcome: 'declined', decidedBy: 'queue-full', code: 'queue-full' });
    const first = await h.ui.nextPrompt();
    expect(first.promptId).toBe(a.requestId);
    h.ui.answer(a.requestId, []);
    await vi.waitFor(() => expect(h.ui.prompts.map((p) => p.promptId)).toEqual([a.requestId, b.requestId]));
    h.ui.answer(b.requestId, []);
    await h.relay.waitFor('session.decision', (d) => d.requestId === b.requestId);
    expect(h.ui.maxOpen).toBe(1);
  });

  it('keeps the waiting count of the prompt on screen up to date as requests join and leave the line', async () => {
    h = await startHarness({ policy: { queueSize: 3 } });
    const tech = (id: string) => ({ id, name: `Tech ${id}`, group: 'helpdesk' });
    const [a, b, c] = [h.request({ technician: tech('a') }), h.request({ technician: tech('b') }), h.request({ technician: tech('c') })];
    h.relay.sendRequest(a);
    const first = await h.ui.nextPrompt();
    expect(first).toMatchObject({ promptId: a.requestId, queued: 0 });
    h.relay.sendRequest(b);
    h.relay.sendRequest(c);
    await vi.waitFor(() => expect(h.ui.queuedUpdates).toEqual([[a.requestId, 1], [a.requestId, 2]]), { timeout: 3000 });
    h.relay.send({ v: 1, type: 'session.cancel', id: 'c-2', requestId: c.requestId });
    await vi.waitFor(() => expect(h.ui.queuedUpdates.at(-1)).toEqual([a.requestId, 1]), { timeout: 3000 });
    // Declining the cancelled one (without a dialog) leaves the prompt on screen shown as such in the tray.
    expect(h.agent.status().prompting).toBe(true);
    h.ui.answer(a.requestId, []);
    const second = await vi.waitFor(() => h.ui.prompts.find((p) => p.promptId === b.requestId) ?? Promise.reject(new Error('b not shown')), { timeout: 3000 });
    expect(second.queued).toBe(0);
    // Nothing is told about a prompt that has gone.
    expect(h.ui.queuedUpdates.filter(([id]) => id !== a.requestId)).toEqual([]);
  });

  it('rate-limits prompts per technician', async () => {
    h = await startHarness({ policy: { rateLimit: { prompts: 2, windowMinutes: 10, autoDeclineAfterDeclines: 100 } } });
    for (let i = 0; i < 2; i++) {
      h.relay.sendRequest(h.request());
      const v = await h.ui.nextPrompt();
      h.ui.answer(v.promptId, 'dismiss');
      await h.relay.waitFor('session.decision', (d) => d.requestId === v.promptId);
    }
    const third = h.request();
    h.relay.sendRequest(third);
    expect(await h.relay.waitFor('session.decision', (d) => d.requestId === third.requestId)).toMatchObject({ outcome: 'declined', decidedBy: 'rate-limit', code: 'rate-limited' });
    expect(h.ui.prompts).toHaveLength(2);
    // Another technician is not affected, and the window slides.
    const other = h.request({ technician: { id: 'bob', name: 'Bob', group: 'helpdesk' } });
    h.relay.sendRequest(other);
    expect((await h.ui.nextPrompt()).promptId).toBe(other.requestId);
    h.ui.answer(other.requestId, []);
    h.clock.advance(10 * 60_000 + 1);
    const later = h.request();
    h.relay.sendRequest(later);
    expect((await h.ui.nextPrompt()).promptId).toBe(later.requestId);
  });

  it('auto-declines a technician after repeated declines', async () => {
    h = await startHarness({ policy: { rateLimit: { prompts: 100, windowMinutes: 10, autoDeclineAfterDeclines: 2 } } });
    for (let i = 0; i < 2; i++) {
      h.relay.sendRequest(h.request());
      const v = await h.ui.nextPrompt();
      h.ui.answer(v.promptId, []);
      await h.relay.waitFor('session.decision', (d) => d.requestId === v.promptId);
    }
    const next = h.request();
    h.relay.sendRequest(next);
    const d = await h.relay.waitFor('session.decision', (m) => m.requestId === next.requestId);
    expect(d).toMatchObject({ outcome: 'declined', decidedBy: 'rate-limit' });
    expect(d.detail).toMatch(/declined/);
  });

  it('declines without granting when the audit log cannot be written', async () => {
    h = await startHarness({ audit: { append: () => Promise.reject(new Error('disk full')) } });
    h.relay.sendRequest(h.request());
    h.ui.answer((await h.ui.nextPrompt()).promptId, ['view', 'control']);
    expect(await h.relay.waitFor('session.decision')).toMatchObject({ outcome: 'declined', granted: [], decidedBy: 'audit-failure', code: 'audit-unavailable' });
    await h.agent.idle();
    expect(h.relay.ofType('session.started')).toHaveLength(0);
    expect(h.agent.grants()).toEqual([]);
  });
});
