// Every figure of the monthly report against values worked out by hand from
// scripted-month.ts (the comments give the arithmetic).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/relay/audit/audit-record.js';
import { computeMonthlyReport, median, percentile } from '../../src/relay/report/compute.js';
import { recordsForMonth } from '../../src/relay/report/month-records.js';
import { monthWindow } from '../../src/relay/report/month-window.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { scriptNovember } from './scripted-month.js';
import { AuditScript } from './audit-script.js';
import { largestRemainder } from '../../src/relay/report/consent-rates.js';
import fc from 'fast-check';

let records: AuditRecord[];
let storage: SqliteStorage;
const NOW = Date.parse('2026-12-02T08:00:00.000Z');
const report = (month: string, tz?: string) => {
  const w = monthWindow(month, tz);
  return computeMonthlyReport(records.filter((r) => Date.parse(r.at) < w.endMs), w, NOW);
};

beforeAll(async () => {
  storage = new SqliteStorage(':memory:');
  await scriptNovember(storage);
  records = await storage.queryAudit({});
});
afterAll(() => storage.close());

describe('monthly report, November 2026 (UTC)', () => {
  it('counts requests, sessions and the attended:unattended:emergency ratio', () => {
    const r = report('2026-11');
    expect(r).toMatchObject({ month: '2026-11', timeZone: 'UTC', from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', requests: 15, sessions: 8 });
    expect(r.modes).toEqual({ attended: 13, unattended: 1, emergency: 1, ratio: '13:1:1', attendedShare: 13 / 15 });
  });

  it('counts every outcome and rates over the 12 requests the agent decided', () => {
    const o = report('2026-11').outcomes;
    expect(o).toEqual({
      accepted: 7, partial: 1, declined: 1, expired: 1, blocked: 1, noUserPresent: 1, cancelled: 1, agentOffline: 1, pending: 1, refusedByRelay: 1,
      decided: 12, acceptRate: 7 / 12, partialRate: 1 / 12, declineRate: 1 / 12, expireRate: 1 / 12,
    });
  });

  it('gives consent rates over the 9 requests a user could answer, adding up to exactly 100 %, approval and emergency apart', () => {
    // Accepted 7 - INC-103 (approval) - INC-104 (emergency) = 5; partial 1 (INC-102); declined 1, expired 1 (INC-105);
    // no user present 1 (INC-106). 5/9 = 55.56 %, 1/9 = 11.11 %: tenths 555 + 4 x 111 = 999, the one left goes to the
    // largest remainder (accepted, .56), so 55.6 + 4 x 11.1 = 100.0.
    const c = report('2026-11').consentRates;
    expect(c).toEqual({
      base: 9,
      shares: [
        { category: 'accepted', count: 5, percent: 55.6 },
        { category: 'partial', count: 1, percent: 11.1 },
        { category: 'declined', count: 1, percent: 11.1 },
        { category: 'expired', count: 1, percent: 11.1 },
        { category: 'noUserPresent', count: 1, percent: 11.1 },
      ],
      byApproval: 1,
      byEmergency: 1,
      approvalDeclinedByUser: 0,
    });
    expect(Math.round(c.shares.reduce((a, s) => a + s.percent * 10, 0))).toBe(1000);
  });

  it('times consent from request to the user\'s yes: samples 10 20 30 40 60 90 s', () => {
    expect(report('2026-11').timeToConsent).toEqual({ count: 6, medianSec: 35, p90Sec: 90 });
  });

  it('computes first-contact resolution and MTTR across months', () => {
    const t = report('2026-11').tickets;
    // Resolved in November: 101 (1 session), 100 (2, one in October), 102 (2), 103 (1), 106 (none: resolved by phone).
    expect(t).toMatchObject({ opened: 11, active: 12, resolved: 5, resolvedWithoutSession: 1, firstContactResolved: 2, fcrRate: 0.5 });
    // 1860 + 1216800 (20 Oct 09:00 -> 3 Nov 11:00) + 71100 + 3600 + 1800 = 1295160 s over 5 tickets.
    expect(t.mttr).toEqual({ count: 5, meanSec: 259032, medianSec: 3600 });
    expect(t.closedAs).toEqual({ resolved: 5, followUp: 1, escalated: 1 });
  });

  it("takes first-contact resolution from the user's answer where there is one, and says which source each ticket used", () => {
    const f = report('2026-11').tickets.fcrBySource;
    // Resolved with a session: 101 (user answered its only session: Not yet), 100 (first session in October, no answer:
    // technician, 2 sessions, no), 102 (user answered its first session: Not yet), 103 (no answer: technician, 1 session, yes).
    expect(f.tickets).toEqual(expect.arrayContaining([
      { ticketId: 'INC-101', source: 'user', firstContact: false },
      { ticketId: 'INC-100', source: 'technician', firstContact: false },
      { ticketId: 'INC-102', source: 'user', firstContact: false },
      { ticketId: 'INC-103', source: 'technician', firstContact: true },
    ]));
    expect(f.tickets).toHaveLength(4);
    expect(f).toMatchObject({ user: { tickets: 2, firstContact: 0 }, technician: { tickets: 2, firstContact: 1 }, firstContact: 1, rate: 0.25 });
    // The technician-only figure is unchanged beside it.
    expect(report('2026-11').tickets).toMatchObject({ firstContactResolved: 2, fcrRate: 0.5 });
  });

  it('averages the ratings the users gave in the month (2, 3, 5) and counts each', () => {
    expect(report('2026-11').csat).toEqual({
      answers: 3, solved: 1, notYet: 2, rated: 3, average: 10 / 3,
      distribution: [{ rating: 1, count: 0 }, { rating: 2, count: 1 }, { rating: 3, count: 1 }, { rating: 4, count: 0 }, { rating: 5, count: 1 }],
    });
    expect(report('2026-10').csat).toMatchObject({ answers: 0, average: null });
  });

  it('counts tickets and sessions without an outcome (105, 107, 110, 111, 109 closed only in December)', () => {
    expect(report('2026-11').tickets).toMatchObject({ withoutOutcome: 5, sessionsWithoutOutcome: 2 });
  });

  it('finds repeat incidents on the same device within 30 days', () => {
    const r = report('2026-11').repeatIncidents;
    expect(r.items).toEqual([
      { deviceId: 'LAPTOP-2', ticketId: 'INC-101', previousTicketId: 'INC-090', daysSincePrevious: 7.8 },
      { deviceId: 'LAPTOP-1', ticketId: 'INC-103', previousTicketId: 'INC-100', daysSincePrevious: 7 },
      { deviceId: 'LAPTOP-2', ticketId: 'INC-108', previousTicketId: 'INC-101', daysSincePrevious: 23.2 },
    ]);
    expect(r.count).toBe(3);
    expect(r.rate).toBe(3 / 11);
  });

  it('ranks the scopes users declined (their own decisions only)', () => {
    expect(report('2026-11').declinedScopes).toEqual([
      { scope: 'view', count: 1 },
      { scope: 'admin', count: 1 },
      { scope: 'file-transfer', count: 1 },
    ]);
  });

  it('counts file transfers by the agent\'s rule outcome', () => {
    expect(report('2026-11').fileTransfers).toEqual({ total: 5, bytes: 7248, allowed: 2, refused: 2, noResult: 1, refusedByCode: [{ code: 'policy-blocked', count: 2 }] });
  });

  it('has one row per technician', () => {
    expect(report('2026-11').technicians).toEqual([
      // Refused: alice's INC-108 request the relay refused (device offline); carol's INC-111 blocked by the device's policy.
      { technicianId: 'alice', name: 'Alice Moreau', requests: 7, sessions: 3, accepted: 2, partial: 1, declined: 1, expired: 1, refused: 1, medianConsentSec: 30, ticketsResolved: 2, firstContactResolved: 0, fileTransfers: 1 },
      { technicianId: 'bob', name: 'Bob Okafor', requests: 4, sessions: 2, accepted: 2, partial: 0, declined: 0, expired: 0, refused: 0, medianConsentSec: 50, ticketsResolved: 2, firstContactResolved: 1, fileTransfers: 4 },
      { technicianId: 'carol', name: 'Carol Lin', requests: 4, sessions: 3, accepted: 3, partial: 0, declined: 0, expired: 0, refused: 1, medianConsentSec: 60, ticketsResolved: 1, firstContactResolved: 1, fileTransfers: 0 },
    ]);
  });

  it('counts requests per day of the month', () => {
    const daily = report('2026-11').daily;
    expect(daily).toHaveLength(30);
    const nonZero = Object.fromEntries(daily.flatMap((n, i) => (n > 0 ? [[i + 1, n]] : [])));
    expect(nonZero).toEqual({ 2: 1, 3: 1, 5: 1, 6: 1, 10: 1, 12: 1, 15: 2, 18: 1, 20: 1, 25: 2, 28: 1, 29: 1, 30: 1 });
  });
});

describe('monthly report edge cases', () => {
  it('reports November in Berlin time: 31 Oct 23:30 UTC moves in, 30 Nov 23:30 UTC moves out', () => {
    const r = report('2026-11', 'Europe/Berlin');
    expect(r.from).toBe('2026-10-31T23:00:00.000Z');
    expect(r.to).toBe('2026-11-30T23:00:00.000Z');
    expect(r.requests).toBe(15);
    expect(r.daily[0]).toBe(1);
    expect(r.daily[29]).toBe(0);
    expect(r.tickets).toMatchObject({ resolved: 6, firstContactResolved: 3, withoutOutcome: 4, sessionsWithoutOutcome: 1 });
    expect(r.timeToConsent).toEqual({ count: 6, medianSec: 25, p90Sec: 90 });
  });

  it('credits a ticket resolved in the next month to that month, with its MTTR from the first request', () => {
    const r = report('2026-12');
    expect(r.requests).toBe(0);
    expect(r.tickets).toMatchObject({ active: 0, opened: 0, resolved: 1, firstContactResolved: 1, fcrRate: 1 });
    expect(r.tickets.mttr).toEqual({ count: 1, meanSec: 2400, medianSec: 2400 });
  });

  it('gives zeros and null rates for a month with no sessions', () => {
    const r = report('2027-02');
    expect(r.requests).toBe(0);
    expect(r.sessions).toBe(0);
    expect(r.daily).toEqual(new Array(28).fill(0));
    expect(r.modes.attendedShare).toBeNull();
    expect(r.outcomes.acceptRate).toBeNull();
    expect(r.timeToConsent).toEqual({ count: 0, medianSec: null, p90Sec: null });
    expect(r.tickets.fcrRate).toBeNull();
    expect(r.tickets.mttr).toEqual({ count: 0, meanSec: null, medianSec: null });
    expect(r.repeatIncidents).toEqual({ count: 0, rate: null, items: [] });
    expect(r.technicians).toEqual([]);
  });

  it('reads only the month, 30 days before it and the history of its tickets, with the same figures as from every record', async () => {
    for (const [month, tz] of [['2026-10', 'UTC'], ['2026-11', 'UTC'], ['2026-11', 'Europe/Berlin'], ['2026-12', 'UTC'], ['2027-02', 'UTC']] as const) {
      const w = monthWindow(month, tz);
      const scoped = await recordsForMonth(storage, w);
      expect(computeMonthlyReport(scoped, w, NOW)).toEqual(report(month, tz));
    }
    // INC-080 (September) is neither within 30 days of November nor a November ticket.
    const nov = await recordsForMonth(storage, monthWindow('2026-11'));
    expect(nov.some((r) => r.ticketId === 'INC-080')).toBe(false);
    expect(nov.some((r) => r.ticketId === 'INC-100' && r.at.startsWith('2026-10-20'))).toBe(true);
  });

  it('computes median and nearest-rank percentiles', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([5], 90)).toBe(5);
    expect(percentile([], 90)).toBeNull();
  });
});

describe('common causes of failures, November 2026 (UTC)', () => {
  it('groups every failed request under one cause, with its most affected tickets', () => {
    // INC-108: one request the agent never answered (agent gone) and one the relay refused (device offline): 2.
    // INC-105: a Decline, then a request that expired unanswered. INC-106: a kiosk with nobody there.
    // INC-111: admin blocked by policy. INC-108's first request was withdrawn by the technician: not a failure;
    // INC-110 has no decision yet (pending), INC-103 ended at its granted time: not failures either.
    expect(report('2026-11').failureCauses.common).toEqual([
      { cause: 'agent-offline', count: 2, topTickets: ['INC-108'] },
      { cause: 'declined-by-user', count: 1, topTickets: ['INC-105'] },
      { cause: 'no-user-present', count: 1, topTickets: ['INC-106'] },
      { cause: 'policy-blocked', count: 1, topTickets: ['INC-111'] },
      { cause: 'timeout', count: 1, topTickets: ['INC-105'] },
    ]);
  });

  it('finds nothing in a month without requests', () => {
    expect(report('2026-08').failureCauses.common).toEqual([]);
  });
});

describe('unattended and emergency sessions, November 2026 (UTC)', () => {
  it('lists each with its authority and maintenance task', () => {
    const none = { approver: null, reference: null, justification: null, incident: null };
    expect(report('2026-11').unattended).toEqual([
      { ticketId: 'INC-103', requestId: expect.any(String), requestedAt: '2026-11-10T10:00:00.000Z', mode: 'unattended', technicianId: 'carol', outcome: 'accepted', ...none, taskId: 'CHG0004711', targets: ['LAPTOP-1', 'VPN client 7.2'], documentation: 'not-required' },
      { ticketId: 'INC-104', requestId: expect.any(String), requestedAt: '2026-11-12T02:00:00.000Z', mode: 'emergency', technicianId: 'carol', outcome: 'accepted', ...none, justification: 'Server down, users blocked', incident: 'SEC-1', taskId: null, targets: [], documentation: 'missing' },
    ]);
  });

  // INC-104 is the month's one emergency session; carol closed it 'escalated' on 12 Nov
  // without what / why / result (the scripted audit writes the close directly), so by the
  // month's end it is the one emergency without documentation. INC-103 ran on a manager
  // approval: nothing to document.
  it('counts the emergency without documentation', () => {
    expect(report('2026-11').emergencyWithoutDocumentation).toEqual({ count: 1, tickets: ['INC-104'] });
    expect(report('2026-10').emergencyWithoutDocumentation).toEqual({ count: 0, tickets: [] });
  });
});

describe('consent rates: a manager approval asks the user first (issue 20)', () => {
  it('a user who declines a manager-approved request is a decline; an approval that applied is counted apart', async () => {
    const s = new SqliteStorage(':memory:');
    try {
      const a = new AuditScript(s, 'dec-');
      // Worked by hand: user accepted 1 (INC-201), declined 2 (INC-202 plain, INC-203 approval not used),
      // approval applied 1 (INC-204, apart). Base 3: 1/3 = 33.33 %, 2/3 = 66.67 %: tenths 333 + 666 = 999,
      // the one left goes to declined (.67 > .33): 33.3 + 66.7 = 100.0.
      await a.session({ at: '2026-12-02T09:00:00.000Z', ticket: 'INC-201', device: 'LAPTOP-1', tech: 'alice', scopes: ['view'], decideAfter: 10, outcome: 'accepted' });
      await a.session({ at: '2026-12-03T09:00:00.000Z', ticket: 'INC-202', device: 'LAPTOP-1', tech: 'alice', scopes: ['view'], decideAfter: 10, outcome: 'declined' });
      await a.session({ at: '2026-12-04T09:00:00.000Z', ticket: 'INC-203', device: 'LAPTOP-2', tech: 'carol', mode: 'unattended', scopes: ['view'], decideAfter: 10, outcome: 'declined', code: 'approval-not-used', approvalPath: 'user-declined' });
      await a.session({ at: '2026-12-05T09:00:00.000Z', ticket: 'INC-204', device: 'LAPTOP-2', tech: 'carol', mode: 'unattended', scopes: ['view'], decideAfter: 60, outcome: 'accepted', decidedBy: 'approval', approvalPath: 'no-answer' });
      const w = monthWindow('2026-12');
      const c = computeMonthlyReport(await s.queryAudit({}), w, NOW).consentRates;
      expect(c.shares.map((x) => [x.category, x.count, x.percent])).toEqual([
        ['accepted', 1, 33.3],
        ['partial', 0, 0],
        ['declined', 2, 66.7],
        ['expired', 0, 0],
        ['noUserPresent', 0, 0],
      ]);
      expect(c).toMatchObject({ base: 3, byApproval: 1, byEmergency: 0, approvalDeclinedByUser: 1 });
    } finally {
      await s.close();
    }
  });

  it('shares always add up to exactly 100.0 % (fast-check), and are 0 without a base', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(10_000), { minLength: 5, maxLength: 5 }), (counts) => {
        const base = counts.reduce((a, b) => a + b, 0);
        const parts = largestRemainder(counts, base, 1000);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(base === 0 ? 0 : 1000);
        // Each share is its exact value rounded down or up, never further off.
        parts.forEach((p, i) => expect(Math.abs(p - (base === 0 ? 0 : (counts[i]! * 1000) / base))).toBeLessThan(1));
      }),
    );
  });
});
