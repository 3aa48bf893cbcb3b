// What the relay ends on its own reaches a peer only after it is in the
// central audit. The storage is the real one with the audit write of one kind
// held: while it is held, a round trip on the peer's own connection proves
// the relay has sent it nothing about that end (frames on one socket arrive
// in order), and once released the frame follows.
import { afterEach, expect, it } from 'vitest';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import type { TechnicianClient } from '../../src/cli/technician/technician-client.js';
import type { AuditKind } from '../../src/relay/audit/audit-record.js';
import type { RelayStorage } from '../../src/relay/storage/storage.js';
import type { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { acceptAndStay, type ScriptedAgent } from './scripted-agent.js';
import { inTime } from '../support/bounded-wait.js';

let t: TestRelay | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A real storage whose audit writes of `kind` wait until `release()`; `reached` resolves at the first one. */
function holdAudit(kind: AuditKind) {
  let release!: () => void;
  let reachedResolve!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const reached = new Promise<void>((r) => (reachedResolve = r));
  const wrap = (inner: SqliteStorage): RelayStorage => new Proxy(inner, {
    get(target, prop) {
      if (prop === 'appendAudit') {
        return async (record: Parameters<RelayStorage['appendAudit']>[0]) => {
          if (record.kind === kind) {
            reachedResolve();
            await gate;
          }
          return target.appendAudit(record);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { wrap, reached, release };
}

function record(c: TechnicianClient): Message[] {
  const seen: Message[] = [];
  c.onMessage((m) => seen.push(m));
  return seen;
}

/** A round trip on the technician's connection: everything sent to it before the reply has arrived. */
async function techRoundTrip(c: TechnicianClient): Promise<void> {
  const id = `probe-${newMessageId()}`;
  const reply = c.waitFor((m) => (m.type === 'error' && m.re === id ? m : undefined));
  c.send({ v: 1, type: 'session.cancel', id, requestId: 'no-such-request' });
  await inTime(reply, 'probe reply');
}

/** The same on the agent's connection. */
async function agentRoundTrip(agent: ScriptedAgent): Promise<void> {
  const id = `probe-${newMessageId()}`;
  const reply = agent.next('error');
  agent.send({ v: 1, type: 'session.end', id, sessionId: 'no-such-session', by: 'user' });
  expect(await inTime(reply, 'probe reply')).toMatchObject({ re: id });
}

function request(deviceId: string): Message<'tech.request'> {
  return { v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: 'INC1' }, reason: 'Printer queue stuck', scopes: ['view'], mode: 'attended', estimatedMinutes: 15 };
}

async function liveSession(relay: TestRelay) {
  const agent = await relay.agent('dev-1');
  agent.answer = acceptAndStay();
  const alice = await relay.technician('alice');
  const started = alice.waitFor((m) => (m.type === 'session.started' ? m : undefined));
  alice.send(request('dev-1'));
  const { sessionId } = (await inTime(started, 'session.started'))!;
  return { agent, alice, sessionId };
}

async function pendingRequest(relay: TestRelay) {
  const agent = await relay.agent('dev-1');
  const alice = await relay.technician('alice');
  const pending = alice.waitFor((m) => (m.type === 'session.pending' ? m : undefined));
  alice.send(request('dev-1'));
  const { requestId } = (await inTime(pending, 'session.pending'))!;
  await inTime(agent.next('session.request'), 'session.request at the agent');
  return { agent, alice, requestId };
}

it('ends a session for a lost agent in the audit before the technician hears it', async () => {
  const held = holdAudit('session-end');
  t = await startTestRelay({}, held);
  const { agent, alice, sessionId } = await liveSession(t);
  const seen = record(alice);
  await agent.close();
  await inTime(held.reached, 'session-end audit write');
  await techRoundTrip(alice);
  expect(seen.filter((m) => m.type === 'session.end')).toEqual([]);
  const end = alice.waitFor((m) => (m.type === 'session.end' ? m : undefined));
  held.release();
  expect(await inTime(end, 'session.end after the audit')).toMatchObject({ sessionId, by: 'agent-lost' });
});

it('cancels a lost technician\'s pending request in the audit before the agent hears it', async () => {
  const held = holdAudit('cancel');
  t = await startTestRelay({}, held);
  const { agent, alice, requestId } = await pendingRequest(t);
  await alice.close();
  await inTime(held.reached, 'cancel audit write');
  await agentRoundTrip(agent);
  expect(agent.received.filter((m) => m.type === 'session.cancel')).toEqual([]);
  held.release();
  expect(await inTime(agent.next('session.cancel'), 'session.cancel after the audit')).toMatchObject({ requestId });
});

it('records a request nobody answered as expired before either side hears it', async () => {
  const held = holdAudit('decision');
  t = await startTestRelay({ requestLifetimeMs: 200, expiryGraceMs: 0 }, held);
  const { agent, alice, requestId } = await pendingRequest(t);
  const seen = record(alice);
  await inTime(held.reached, 'expired decision audit write');
  await agentRoundTrip(agent);
  await techRoundTrip(alice);
  expect(agent.received.filter((m) => m.type === 'session.cancel')).toEqual([]);
  expect(seen.filter((m) => m.type === 'session.decision')).toEqual([]);
  const decision = alice.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
  held.release();
  expect(await inTime(agent.next('session.cancel'), 'session.cancel after the audit')).toMatchObject({ requestId });
  expect(await inTime(decision, 'session.decision after the audit')).toMatchObject({ requestId, outcome: 'expired' });
});

it('ends a live session at shutdown in the audit before either side hears it', async () => {
  const held = holdAudit('session-end');
  t = await startTestRelay({}, held);
  const { agent, alice, sessionId } = await liveSession(t);
  const seen = record(alice);
  const closing = t.relay.close();
  await inTime(held.reached, 'session-end audit write at shutdown');
  await agentRoundTrip(agent);
  await techRoundTrip(alice);
  expect(agent.received.filter((m) => m.type === 'session.end')).toEqual([]);
  expect(seen.filter((m) => m.type === 'session.end')).toEqual([]);
  const end = alice.waitFor((m) => (m.type === 'session.end' ? m : undefined));
  held.release();
  expect(await inTime(end, 'session.end after the audit')).toMatchObject({ sessionId, by: 'relay-lost' });
  await closing;
});
