// The relay enforces the granted duration itself: past endsAt it refuses
// session frames with `expired`, and once the agent's grace is over it ends
// the session on both sides (by 'expiry') and says so in the central audit.
// Time is a manual clock injected into the relay; the sockets are real.
import { afterEach, describe, expect, it } from 'vitest';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import type { Clock } from '../../src/shared/clock.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { decide, type Answer, type ScriptedAgent } from './scripted-agent.js';

/** A clock that only moves when the test says; timers fire as it passes them. */
function manualClock(start: number) {
  let t = start;
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => t,
    setTimeout(fn, ms) {
      due.set(++seq, { at: t + ms, fn });
      return seq;
    },
    clearTimeout(h) {
      due.delete(h as number);
    },
  };
  return {
    now: () => t,
    clock,
    advance(ms: number) {
      t += ms;
      for (;;) {
        const next = [...due.entries()].filter(([, d]) => d.at <= t).sort((a, b) => a[1].at - b[1].at)[0];
        if (!next) return;
        due.delete(next[0]);
        next[1].fn();
      }
    },
  };
}

const MIN = 60_000;
const GRACE = 10_000;
let t: TestRelay;
let client: TechnicianClient | undefined;
afterEach(async () => {
  await client?.close();
  await t.close();
});

/** Accept and start a session (times on the agent's clock), then never end it. */
function acceptUntil(endsAt: number, startedAt = endsAt - 5 * MIN): Answer {
  return (req) => {
    const p = req.payload;
    const sessionId = `ses-${p.requestId}`;
    return [
      decide(req, 'accepted', p.scopes, { sessionId }),
      { v: 1, type: 'session.started', id: newMessageId(), sessionId, requestId: p.requestId, scopes: p.scopes, mode: p.mode, startedAt: new Date(startedAt).toISOString(), endsAt: new Date(endsAt).toISOString() },
    ];
  };
}

/** A live 5-minute session; `agentClockOffset` is how far the agent's clock is ahead of the relay's. */
async function setup(agentClockOffset = 0) {
  const clock = manualClock(Date.now());
  t = await startTestRelay({ clock: clock.clock, expiryGraceMs: GRACE });
  const agent = await t.agent('dev-1');
  const start = clock.now();
  agent.answer = acceptUntil(start + agentClockOffset + 5 * MIN, start + agentClockOffset);
  const r = await connectTechnician(t.relay.url, await t.addTechnician('alice'));
  if (!r.ok) throw new Error(r.detail);
  client = r.client;
  const c = r.client;
  const started = c.waitFor((m) => (m.type === 'session.started' ? m : undefined));
  c.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-1', ticket: { id: 'INC7' }, reason: 'Printer', scopes: ['view', 'file-transfer'], mode: 'attended', estimatedMinutes: 5 });
  const s = (await started)!;
  return { clock, agent, c, sessionId: s.sessionId, start };
}

const narrate = (sessionId: string, text = 'opening the print queue'): Message<'session.narration'> => ({ v: 1, type: 'session.narration', id: newMessageId(), sessionId, text });
const reply = (c: TechnicianClient, id: string) => c.waitFor((m) => (m.type === 'error' && m.re === id ? m : undefined));

async function narrationReaches(c: TechnicianClient, agent: ScriptedAgent, sessionId: string): Promise<void> {
  const n = narrate(sessionId, `still working ${newMessageId()}`);
  const got = agent.next('session.narration');
  c.send(n);
  expect((await got).text).toBe(n.text);
}

describe('granted duration', () => {
  it('refuses session frames past endsAt, then ends the session on both sides by expiry and audits it', async () => {
    const { clock, agent, c, sessionId } = await setup();
    clock.advance(4 * MIN);
    await narrationReaches(c, agent, sessionId);

    // Past endsAt, inside the agent's grace: refused, but not ended yet.
    clock.advance(MIN + 1);
    const frames: Message[] = [
      narrate(sessionId),
      { v: 1, type: 'session.file-transfer', id: newMessageId(), sessionId, transferId: 'tr-1', name: 'log.txt', size: 3, sha256: 'a'.repeat(64), direction: 'from-device' },
      { v: 1, type: 'tech.scope-request', id: newMessageId(), sessionId, scopes: ['control'], reason: 'need to click' },
    ];
    for (const f of frames) {
      const err = reply(c, f.id);
      c.send(f);
      expect(await err).toMatchObject({ code: 'expired' });
    }
    expect(agent.received.some((m) => m.type === 'session.end')).toBe(false);

    // Grace over: the relay ends it itself.
    const techEnd = c.waitFor((m) => (m.type === 'session.end' ? m : undefined));
    const agentEnd = agent.next('session.end');
    clock.advance(GRACE);
    expect(await techEnd).toMatchObject({ sessionId, by: 'expiry' });
    expect(await agentEnd).toMatchObject({ sessionId, by: 'expiry' });
    const audit = await t.storage.queryAudit({ sessionId, kinds: ['session-end'] });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.data).toMatchObject({ by: 'expiry' });

    // Ended by expiry: still refused with a typed error, nothing reaches the agent.
    const late = narrate(sessionId);
    const err = reply(c, late.id);
    c.send(late);
    expect(await err).toMatchObject({ code: 'expired' });
    expect(agent.received.filter((m) => m.type === 'session.narration')).toHaveLength(0);

    // The agent's own late end is absorbed; no second audit record.
    const ownEnd: Message<'session.end'> = { v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'expiry' };
    agent.send(ownEnd);
    // Frames from one agent are handled in order: once its summary reaches the technician, the end was handled too.
    const summary = c.waitFor((m) => (m.type === 'session.summary' ? m : undefined));
    agent.send(summaryOf(sessionId));
    expect(await summary).toMatchObject({ summary: { sessionId, endedBy: 'expiry' } });
    expect(await t.storage.queryAudit({ sessionId, kinds: ['session-end'] })).toHaveLength(1);
    expect(agent.received.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('follows an extension the technician asked for', async () => {
    const { clock, agent, c, sessionId, start } = await setup();
    const asked = agent.next('session.scope-request');
    c.send({ v: 1, type: 'tech.scope-request', id: newMessageId(), sessionId, scopes: ['view'], reason: 'need more time', extendMinutes: 15 });
    const requestId = (await asked).payload.requestId;
    const update = c.waitFor((m) => (m.type === 'session.scope-update' ? m : undefined));
    agent.send({ v: 1, type: 'session.scope-update', id: newMessageId(), sessionId, requestId, change: 'extended', scopes: [], granted: ['view', 'file-transfer'], endsAt: new Date(start + 20 * MIN).toISOString() });
    await update;
    clock.advance(15 * MIN);
    await narrationReaches(c, agent, sessionId);
    expect(agent.received.some((m) => m.type === 'session.end')).toBe(false);

    const techEnd = c.waitFor((m) => (m.type === 'session.end' ? m : undefined));
    clock.advance(5 * MIN + GRACE);
    expect(await techEnd).toMatchObject({ sessionId, by: 'expiry' });
  });

  it("measures the granted time on the relay's clock when the agent's clock is off", async () => {
    // The agent's clock is 10 minutes behind: its endsAt is already past on the relay's clock.
    const { clock, agent, c, sessionId } = await setup(-10 * MIN);
    await narrationReaches(c, agent, sessionId);
    clock.advance(4 * MIN);
    await narrationReaches(c, agent, sessionId);
    clock.advance(MIN + 1);
    await narrationRefused(c, sessionId);
    const techEnd = c.waitFor((m) => (m.type === 'session.end' ? m : undefined));
    clock.advance(GRACE);
    expect(await techEnd).toMatchObject({ sessionId, by: 'expiry' });
  });

  it('does not end a session the agent ended itself', async () => {
    const { clock, agent, c, sessionId } = await setup();
    const techEnd = c.waitFor((m) => (m.type === 'session.end' ? m : undefined));
    agent.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'user', reason: 'done' });
    expect(await techEnd).toMatchObject({ by: 'user' });
    clock.advance(10 * MIN);
    await narrationRefused(c, sessionId, 'unknown-session');
    expect(agent.received.some((m) => m.type === 'session.end')).toBe(false);
    const ends = await t.storage.queryAudit({ sessionId, kinds: ['session-end'] });
    expect(ends.map((r) => r.data)).toEqual([{ by: 'user', reason: 'done' }]);
  });
});

describe('the granted duration is the relay\'s, not whatever the agent reports', () => {
  it('refuses a session.started re-sent after expiry (even with a 100-day window); narration stays refused', async () => {
    const { clock, agent, c, sessionId } = await setup();
    const techEnd = c.waitFor((m) => (m.type === 'session.end' ? m : undefined));
    clock.advance(5 * MIN + GRACE);
    expect(await techEnd).toMatchObject({ sessionId, by: 'expiry' });

    const now = clock.now();
    const revive: Message<'session.started'> = { v: 1, type: 'session.started', id: newMessageId(), sessionId, requestId: sessionId.replace(/^ses-/, ''), scopes: ['view'], mode: 'attended', startedAt: new Date(now - 100 * 24 * 60 * MIN).toISOString(), endsAt: new Date(now).toISOString() };
    const refused = agentError(agent, revive.id);
    agent.send(revive);
    expect(await refused).toMatchObject({ code: 'unexpected-type' });

    clock.advance(10 * MIN);
    await narrationRefused(c, sessionId);
    expect(agent.received.filter((m) => m.type === 'session.narration')).toHaveLength(0);
    const audit = await t.storage.queryAudit({ sessionId, kinds: ['session-started', 'session-end', 'rejected'] });
    expect(audit.map((r) => r.kind)).toEqual(['session-started', 'session-end', 'rejected']);
    expect(audit[2]!.data).toMatchObject({ action: 'session.started', code: 'unexpected-type' });
  });

  it('refuses a second session.started while the session is live', async () => {
    const { clock, agent, c, sessionId } = await setup();
    const now = clock.now();
    const again: Message<'session.started'> = { v: 1, type: 'session.started', id: newMessageId(), sessionId, requestId: sessionId.replace(/^ses-/, ''), scopes: ['view'], mode: 'attended', startedAt: new Date(now).toISOString(), endsAt: new Date(now + 100 * 24 * 60 * MIN).toISOString() };
    const refused = agentError(agent, again.id);
    agent.send(again);
    expect(await refused).toMatchObject({ code: 'unexpected-type' });
    const techEnd = c.waitFor((m) => (m.type === 'session.end' ? m : undefined));
    clock.advance(5 * MIN + GRACE);
    expect(await techEnd).toMatchObject({ sessionId, by: 'expiry' });
  });

  it('caps a 100-day window in session.started at the granted minutes', async () => {
    const clock = manualClock(Date.now());
    t = await startTestRelay({ clock: clock.clock, expiryGraceMs: GRACE });
    const agent = await t.agent('dev-1');
    const start = clock.now();
    // The decision grants 5 minutes; the started message claims 100 days, on a clock set 100 days back.
    agent.answer = (req) => acceptUntil(start + 100 * 24 * 60 * MIN, start - 100 * 24 * 60 * MIN)(req, agent).map((m) => (m.type === 'session.decision' ? { ...m, grantedMinutes: 5 } : m));
    const r = await connectTechnician(t.relay.url, await t.addTechnician('alice'));
    if (!r.ok) throw new Error(r.detail);
    client = r.client;
    const started = r.client.waitFor((m) => (m.type === 'session.started' ? m : undefined));
    r.client.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-1', ticket: { id: 'INC7' }, reason: 'Printer', scopes: ['view'], mode: 'attended', estimatedMinutes: 60 });
    const { sessionId } = (await started)!;
    clock.advance(5 * MIN + 1);
    await narrationRefused(r.client, sessionId);
    const techEnd = r.client.waitFor((m) => (m.type === 'session.end' ? m : undefined));
    clock.advance(GRACE);
    expect(await techEnd).toMatchObject({ sessionId, by: 'expiry' });
  });

  it('does not move the end later on a scope-update nobody asked to extend (audited as rejected)', async () => {
    const { clock, agent, c, sessionId, start } = await setup();
    const update = c.waitFor((m) => (m.type === 'session.scope-update' ? m : undefined));
    agent.send({ v: 1, type: 'session.scope-update', id: newMessageId(), sessionId, change: 'extended', scopes: [], granted: ['view', 'file-transfer'], endsAt: new Date(start + 100 * 24 * 60 * MIN).toISOString() });
    await update;
    const rejected = await t.storage.queryAudit({ sessionId, kinds: ['rejected'] });
    expect(rejected.map((x) => x.data)).toEqual([expect.objectContaining({ action: 'session.scope-update', code: 'forbidden' })]);
    clock.advance(5 * MIN + 1);
    await narrationRefused(c, sessionId);
    const techEnd = c.waitFor((m) => (m.type === 'session.end' ? m : undefined));
    clock.advance(GRACE);
    expect(await techEnd).toMatchObject({ sessionId, by: 'expiry' });
  });

  it('caps an extension at the minutes the technician asked for', async () => {
    const { clock, agent, c, sessionId, start } = await setup();
    const asked = agent.next('session.scope-request');
    c.send({ v: 1, type: 'tech.scope-request', id: newMessageId(), sessionId, scopes: ['view'], reason: 'need more time', extendMinutes: 10 });
    const requestId = (await asked).payload.requestId;
    const update = c.waitFor((m) => (m.type === 'session.scope-update' ? m : undefined));
    agent.send({ v: 1, type: 'session.scope-update', id: newMessageId(), sessionId, requestId, change: 'extended', scopes: [], granted: ['view', 'file-transfer'], endsAt: new Date(start + 100 * 24 * 60 * MIN).toISOString() });
    await update;
    clock.advance(14 * MIN);
    await narrationReaches(c, agent, sessionId);
    clock.advance(MIN + 1);
    await narrationRefused(c, sessionId);
  });

  it('ends a session whose agent never sends session.started', async () => {
    const clock = manualClock(Date.now());
    t = await startTestRelay({ clock: clock.clock, expiryGraceMs: GRACE });
    const agent = await t.agent('dev-1');
    agent.answer = (req) => [decide(req, 'accepted', req.payload.scopes, { sessionId: `ses-${req.payload.requestId}`, grantedMinutes: 5 })];
    const r = await connectTechnician(t.relay.url, await t.addTechnician('alice'));
    if (!r.ok) throw new Error(r.detail);
    client = r.client;
    const decided = r.client.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    r.client.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-1', ticket: { id: 'INC7' }, reason: 'Printer', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 });
    const sessionId = (await decided)!.sessionId!;
    const techEnd = r.client.waitFor((m) => (m.type === 'session.end' ? m : undefined));
    clock.advance(5 * MIN + GRACE);
    expect(await techEnd).toMatchObject({ sessionId, by: 'expiry' });
    // A late start can't revive it.
    const late: Message<'session.started'> = { v: 1, type: 'session.started', id: newMessageId(), sessionId, requestId: sessionId.replace(/^ses-/, ''), scopes: ['view'], mode: 'attended', startedAt: new Date(clock.now()).toISOString(), endsAt: new Date(clock.now() + 5 * MIN).toISOString() };
    const refused = agentError(agent, late.id);
    agent.send(late);
    expect(await refused).toMatchObject({ code: 'unexpected-type' });
  });
});

/** The relay's error reply to one agent frame (the only error these tests expect the agent to get). */
async function agentError(agent: ScriptedAgent, re: string): Promise<Message<'error'>> {
  const err = await agent.next('error');
  expect(err.re).toBe(re);
  return err;
}

async function narrationRefused(c: TechnicianClient, sessionId: string, code = 'expired'): Promise<void> {
  const n = narrate(sessionId);
  const err = reply(c, n.id);
  c.send(n);
  expect(await err).toMatchObject({ code });
}

function summaryOf(sessionId: string): Message<'session.summary'> {
  const at = new Date().toISOString();
  return {
    v: 1,
    type: 'session.summary',
    id: newMessageId(),
    summary: {
      sessionId,
      requestId: sessionId.replace(/^ses-/, ''),
      deviceId: 'dev-1',
      technician: { id: 'alice', name: 'Alice Tech', group: 'helpdesk' },
      ticket: { id: 'INC7' },
      mode: 'attended',
      scopesGranted: ['view'],
      scopesUsed: [],
      startedAt: at,
      endedAt: at,
      durationSec: 0,
      files: [],
      narrationCount: 1,
      endedBy: 'expiry',
    },
  };
}
