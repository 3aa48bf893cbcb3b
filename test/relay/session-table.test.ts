// Every map the router keeps is bounded: 100k requests, sessions and forwards
// leave at most the stated number behind (ROUTING_LIMITS), the newest ones,
// and no timer of a forgotten entry still runs.
import { describe, expect, it } from 'vitest';
import type { Peer } from '../../src/relay/peer.js';
import { ROUTING_LIMITS } from '../../src/relay/relay-constants.js';
import type { AwaitingStart, RoutedRequest, RoutedSession } from '../../src/relay/routing/routed.js';
import { SessionClock } from '../../src/relay/routing/session-clock.js';
import { SessionTable } from '../../src/relay/routing/session-table.js';
import type { Clock } from '../../src/shared/clock.js';
import type { TechnicianRecord } from '../../src/relay/storage/storage.js';

const EVENTS = 100_000;

/** A clock whose timers never fire on their own; it counts the ones still armed. */
function countingClock() {
  const armed = new Set<number>();
  let seq = 0;
  const clock: Clock = {
    now: () => 1_700_000_000_000,
    setTimeout: () => {
      armed.add(++seq);
      return seq;
    },
    clearTimeout: (h) => void armed.delete(h as number),
  };
  return { clock, armed };
}

const peer: Peer = { connectionId: 'c-test', send: () => undefined, sendBinary: () => undefined, close: () => undefined };
const tech = { id: 'alice' } as TechnicianRecord;
const owner = { peer, tech, deviceId: 'dev-1', ticketId: 'INC1' };

function setup() {
  const { clock, armed } = countingClock();
  const sessionClock = new SessionClock(clock, 10_000);
  return { table: new SessionTable(sessionClock), clock: sessionClock, armed };
}

function session(i: number): RoutedSession {
  return { ...owner, sessionId: `ses-${i}`, requestId: `req-${i}`, ended: false, started: true, grantedMs: 60_000, extensions: new Map(), endsAt: 0, clockOffsetMs: 0, requestNonce: `nonce-${i}`, scopeNonces: new Map() };
}

describe('SessionTable bounds', () => {
  it('keeps at most maxEndedSessions ended sessions whose agent never sent a summary', () => {
    const { table, clock, armed } = setup();
    for (let i = 0; i < EVENTS; i++) {
      const s = session(i);
      table.setSession(s);
      clock.armExpiry(s, clock.now() + 60_000);
      table.markEnded(s, 'user');
    }
    expect(table.sizes()).toMatchObject({ sessions: ROUTING_LIMITS.maxEndedSessions, endedSessions: ROUTING_LIMITS.maxEndedSessions });
    expect(table.session(`ses-${EVENTS - 1}`)?.ended).toBe(true);
    expect(table.session('ses-0')).toBeUndefined();
    expect(armed.size).toBe(0);
  });

  it('keeps at most maxAwaitingStart accepted requests whose agent never sent session.started', () => {
    const { table, clock } = setup();
    for (let i = 0; i < EVENTS; i++) {
      const entry: AwaitingStart = { ...owner, grantedMs: 60_000, decidedAt: clock.now(), requestNonce: `nonce-${i}` };
      table.awaitStart(`req-${i}`, entry);
    }
    expect(table.sizes().awaitingStart).toBe(ROUTING_LIMITS.maxAwaitingStart);
    expect(table.awaitingStart(`req-${EVENTS - 1}`)).toBeDefined();
    expect(table.awaitingStart('req-0')).toBeUndefined();
  });

  it('forgets the accepted request of a session that ended before it started', () => {
    const { table, clock } = setup();
    for (let i = 0; i < EVENTS; i++) {
      table.awaitStart(`req-${i}`, { ...owner, sessionId: `ses-${i}`, grantedMs: 60_000, decidedAt: clock.now(), requestNonce: `nonce-${i}` });
      const s = { ...session(i), started: false };
      table.setSession(s);
      table.markEnded(s, 'expiry');
    }
    expect(table.sizes().awaitingStart).toBe(0);
  });

  it('keeps at most maxForwarded forwarded frames whose agent never answered with an error', () => {
    const { table } = setup();
    for (let i = 0; i < EVENTS; i++) table.rememberForwarded(`frame-${i}`, owner, `tech-${i}`);
    expect(table.sizes().forwarded).toBe(ROUTING_LIMITS.maxForwarded);
    expect(table.takeForwarded(`frame-${EVENTS - 1}`)).toMatchObject({ techMsgId: `tech-${EVENTS - 1}` });
    expect(table.takeForwarded('frame-0')).toBeUndefined();
  });

  it('stops the timer of every pending request it drops', () => {
    const { table, clock, armed } = setup();
    for (let i = 0; i < EVENTS; i++) {
      const req: RoutedRequest = { ...owner, requestId: `req-${i}`, techMsgId: `m-${i}`, scopes: ['view'], estimatedMinutes: 5, dueAt: 60_000, requestNonce: `nonce-${i}`, timer: clock.after(60_000, () => undefined) };
      table.addPending(req);
      table.dropPending(req);
    }
    expect(table.sizes().pending).toBe(0);
    expect(armed.size).toBe(0);
  });
});
