// Through a real relay: sessions an agent ends without ever sending a summary
// are kept only up to the bound (the newest ones, so a late summary still
// reaches the technician); the oldest are forgotten.
import { afterEach, expect, it } from 'vitest';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { decide, type Answer } from './scripted-agent.js';

const BOUND = 4;
const SESSIONS = 20;
let t: TestRelay;
afterEach(() => t.close());

/** Summaries the agent holds back: sessionId -> the frame it would have sent. */
const summaries = new Map<string, Message<'session.summary'>>();

/** Accept, start, end at once, and keep the summary back. */
const acceptStartEnd: Answer = (req) => {
  const p = req.payload;
  const sessionId = `ses-${p.requestId}`;
  const startedAt = new Date().toISOString();
  const endsAt = new Date(Date.now() + 600_000).toISOString();
  const { requestId, deviceId, technician, ticket, mode, scopes } = p;
  const summary = { sessionId, requestId, deviceId, technician, ticket, mode, scopesGranted: scopes, scopesUsed: scopes, startedAt, endedAt: startedAt };
  summaries.set(sessionId, {
    v: 1,
    type: 'session.summary',
    id: newMessageId(),
    summary: { ...summary, durationSec: 0, files: [], narrationCount: 0, endedBy: 'user' },
  });
  return [
    decide(req, 'accepted', scopes, { sessionId }),
    { v: 1, type: 'session.started', id: newMessageId(), sessionId, requestId, scopes, mode, startedAt, endsAt },
    { v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'user' },
  ];
};

it('keeps at most the bound of ended sessions without a summary, and routes a late summary of a kept one', async () => {
  const bounds = { maxEndedSessions: BOUND, maxAwaitingStart: BOUND, maxForwarded: BOUND };
  // The agent sends three frames per session: keep the frame rate limit out of the way.
  t = await startTestRelay({ bounds, rateLimit: { perSecond: 1000, burst: 1000, abuseThreshold: 1000 } });
  const agent = await t.agent('dev-1');
  agent.answer = acceptStartEnd;
  const alice = await t.technician('alice');
  const ended: string[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const end = alice.waitFor((m) => (m.type === 'session.end' ? m : undefined));
    alice.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-1', ticket: { id: 'INC1' }, reason: 'Printer queue stuck', scopes: ['view'], mode: 'attended', estimatedMinutes: 15 });
    ended.push((await end)!.sessionId);
  }
  expect(t.relay.router.sizes()).toEqual({ pending: 0, awaitingStart: 0, sessions: BOUND, endedSessions: BOUND, forwarded: BOUND });

  const newest = ended.at(-1)!;
  const routed = alice.waitFor((m) => (m.type === 'session.summary' ? m : undefined));
  agent.send(summaries.get(newest)!);
  expect(await routed).toMatchObject({ summary: { sessionId: newest } });
  expect(t.relay.router.sizes()).toMatchObject({ sessions: BOUND - 1, endedSessions: BOUND - 1 });

  const oldest = summaries.get(ended[0]!)!;
  const refused = agent.next('error');
  agent.send(oldest);
  expect(await refused).toMatchObject({ code: 'unknown-session', re: oldest.id });
});
