// The monthly report as a pure function of central audit records (all records
// before the window's end: tickets span months, repeat incidents look back 30
// days). Definitions are stated next to each figure; docs/evidence.md
// repeats them for IT.
import { SCOPES, type Scope } from '../../protocol/scopes.js';
import type { AuditRecord } from '../audit/audit-record.js';
import { projectSessions, type SessionView } from '../audit/session-projection.js';
import { commonCauses } from './common-causes.js';
import { consentRates } from './consent-rates.js';
import { failureCauses } from './failure-causes.js';
import { undocumentedEmergencyTickets, unattendedList } from './unattended-list.js';
import { csat, fcrBySource } from './user-verdicts.js';
import { emergencySessions } from '../audit/emergency-documentation.js';
import { localDate, type MonthWindow } from './month-window.js';
import { REPORT_VERSION, type Distribution, type MonthlyReport, type RepeatIncident, type TechnicianRow } from './report-model.js';

const DAY_MS = 86_400_000;
export const REPEAT_WINDOW_DAYS = 30;

const ms = (iso: string) => Date.parse(iso);
const rate = (n: number, d: number): number | null => (d === 0 ? null : n / d);

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100): the smallest sample with at least p% of samples at or below it. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
}

function distribution(values: readonly number[]): Distribution {
  return { count: values.length, medianSec: median(values), p90Sec: percentile(values, 90) };
}

/** Seconds from request to the user's yes (accepted or partial, decided by the user), relay clock on both ends. */
function consentSeconds(v: SessionView): number | null {
  if ((v.outcome !== 'accepted' && v.outcome !== 'partial') || v.decidedBy !== 'user' || v.decisionLoggedAt === null) return null;
  return Math.max(0, ms(v.decisionLoggedAt) - ms(v.requestedAt)) / 1000;
}

interface TicketFacts {
  ticketId: string;
  views: SessionView[];
  firstRequest: SessionView;
  /** First `resolved` close (any time before the window's end). */
  resolved: AuditRecord<'close'> | null;
  closes: AuditRecord<'close'>[];
}

function ticketFacts(views: readonly SessionView[], closes: readonly AuditRecord<'close'>[]): Map<string, TicketFacts> {
  const tickets = new Map<string, TicketFacts>();
  for (const v of views) {
    if (v.ticketId === null) continue;
    const t = tickets.get(v.ticketId);
    if (t) t.views.push(v);
    else tickets.set(v.ticketId, { ticketId: v.ticketId, views: [v], firstRequest: v, resolved: null, closes: [] });
  }
  for (const c of closes) {
    const t = c.ticketId === null ? undefined : tickets.get(c.ticketId);
    if (!t) continue;
    t.closes.push(c);
    if (c.data.outcome === 'resolved' && t.resolved === null) t.resolved = c;
  }
  return tickets;
}

export function computeMonthlyReport(records: readonly AuditRecord[], window: MonthWindow, generatedAtMs: number): MonthlyReport {
  const before = records.filter((r) => ms(r.at) < window.endMs).sort((a, b) => a.seq - b.seq);
  const inWindow = (iso: string | null): boolean => iso !== null && ms(iso) >= window.startMs && ms(iso) < window.endMs;
  const views = projectSessions(before);
  const month = views.filter((v) => inWindow(v.requestedAt));
  const started = month.filter((v) => v.startedAt !== null);
  const closes = before.filter((r): r is AuditRecord<'close'> => r.kind === 'close');
  const tickets = ticketFacts(views, closes);
  const unattended = unattendedList(month, emergencySessions(before));
  const undocumented = undocumentedEmergencyTickets(unattended);

  // Requests, modes and outcomes: every request made in the month.
  const count = (pred: (v: SessionView) => boolean, of: readonly SessionView[] = month) => of.filter(pred).length;
  const modes = { attended: count((v) => v.mode === 'attended'), unattended: count((v) => v.mode === 'unattended'), emergency: count((v) => v.mode === 'emergency') };
  const outcome = (o: SessionView['outcome']) => count((v) => v.outcome === o);
  const relayRefused = before.filter(
    (r): r is AuditRecord<'rejected'> => r.kind === 'rejected' && r.requestId === null && r.data.action === 'tech.request' && inWindow(r.at),
  );
  const o = {
    accepted: outcome('accepted'),
    partial: outcome('partial'),
    declined: outcome('declined'),
    expired: outcome('expired'),
    blocked: outcome('blocked'),
    noUserPresent: outcome('no-user-present'),
    cancelled: outcome('cancelled'),
    agentOffline: outcome('agent-offline'),
    pending: outcome(null),
    refusedByRelay: relayRefused.length,
  };
  const decided = o.accepted + o.partial + o.declined + o.expired + o.blocked + o.noUserPresent;
  const consent = month.map(consentSeconds).filter((s): s is number => s !== null);

  // Tickets: opened, resolved (first `resolved` close in the month), FCR and MTTR across months.
  const all = [...tickets.values()];
  const active = all.filter((t) => t.views.some((v) => inWindow(v.requestedAt)));
  const opened = all.filter((t) => inWindow(t.firstRequest.requestedAt));
  const resolved = all.filter((t) => t.resolved !== null && inWindow(t.resolved.at));
  const sessionsUntilResolved = (t: TicketFacts) => t.views.filter((v) => v.startedAt !== null && ms(v.requestedAt) <= ms(t.resolved!.at)).length;
  const withSession = resolved.filter((t) => sessionsUntilResolved(t) >= 1);
  const fcr = withSession.filter((t) => sessionsUntilResolved(t) === 1);
  const answers = before.filter((r): r is AuditRecord<'resolution'> => r.kind === 'resolution');
  const answerOf = new Map<string, AuditRecord<'resolution'>>();
  for (const a of answers) if (a.sessionId !== null && !answerOf.has(a.sessionId)) answerOf.set(a.sessionId, a);
  const bySource = fcrBySource(withSession.map((t) => ({ ticketId: t.ticketId, views: t.views, technicianFirstContact: sessionsUntilResolved(t) === 1 })), answerOf);
  const ttr = resolved.map((t) => (ms(t.resolved!.at) - ms(t.firstRequest.requestedAt)) / 1000);
  const closedAs = { resolved: 0, followUp: 0, escalated: 0 };
  for (const t of all) {
    const last = t.closes.filter((c) => inWindow(c.at)).at(-1);
    if (last?.data.outcome === 'resolved') closedAs.resolved++;
    else if (last?.data.outcome === 'follow-up') closedAs.followUp++;
    else if (last?.data.outcome === 'escalated') closedAs.escalated++;
  }
  const noOutcome = new Set(active.filter((t) => t.closes.length === 0).map((t) => t.ticketId));

  // Repeat incidents: a ticket opened in the month on a device that had another ticket in the 30 days before.
  const repeats: RepeatIncident[] = [];
  const byDevice = new Map<string, SessionView[]>();
  for (const v of views) {
    if (v.deviceId === null) continue;
    const list = byDevice.get(v.deviceId);
    if (list) list.push(v);
    else byDevice.set(v.deviceId, [v]);
  }
  for (const t of opened) {
    const device = t.firstRequest.deviceId;
    const first = ms(t.firstRequest.requestedAt);
    const previous = (device === null ? [] : (byDevice.get(device) ?? []))
      .filter((v) => v.ticketId !== t.ticketId && ms(v.requestedAt) < first && ms(v.requestedAt) >= first - REPEAT_WINDOW_DAYS * DAY_MS)
      .at(-1);
    if (device !== null && previous?.ticketId) {
      repeats.push({ deviceId: device, ticketId: t.ticketId, previousTicketId: previous.ticketId, daysSincePrevious: Math.round(((first - ms(previous.requestedAt)) / DAY_MS) * 10) / 10 });
    }
  }

  // Scopes the user said no to (decisions by the user only: timeouts and policy are not choices).
  const declinedCounts = new Map<Scope, number>();
  for (const v of month) if (v.decidedBy === 'user') for (const s of v.declined) declinedCounts.set(s, (declinedCounts.get(s) ?? 0) + 1);
  const declinedScopes = SCOPES.filter((s) => declinedCounts.has(s))
    .map((scope) => ({ scope, count: declinedCounts.get(scope)! }))
    .sort((a, b) => b.count - a.count);

  // File transfers announced in the month, by the agent's file-rule outcome.
  const files = views.flatMap((v) => v.files.filter((f) => inWindow(f.at)).map((f) => ({ ...f, technicianId: v.technicianId })));
  const refusedByCode = new Map<string, number>();
  for (const f of files) if (f.allowed === false) refusedByCode.set(f.code ?? 'unspecified', (refusedByCode.get(f.code ?? 'unspecified') ?? 0) + 1);

  // Per technician, also those whose every request the relay refused.
  const techIds = [...new Set([...month.map((v) => v.technicianId), ...relayRefused.map((r) => r.technicianId)].filter((id): id is string => id !== null))].sort();
  const technicians: TechnicianRow[] = techIds.map((id) => {
    const mine = month.filter((v) => v.technicianId === id);
    const theirResolved = resolved.filter((t) => t.resolved!.technicianId === id);
    return {
      technicianId: id,
      name: mine[0]?.technicianName ?? id,
      requests: mine.length,
      sessions: count((v) => v.startedAt !== null, mine),
      accepted: count((v) => v.outcome === 'accepted', mine),
      partial: count((v) => v.outcome === 'partial', mine),
      declined: count((v) => v.outcome === 'declined', mine),
      expired: count((v) => v.outcome === 'expired', mine),
      refused: relayRefused.filter((r) => r.technicianId === id).length + count((v) => v.outcome === 'blocked', mine),
      medianConsentSec: median(mine.map(consentSeconds).filter((s): s is number => s !== null)),
      ticketsResolved: theirResolved.length,
      firstContactResolved: theirResolved.filter((t) => sessionsUntilResolved(t) === 1).length,
      fileTransfers: files.filter((f) => f.technicianId === id).length,
    };
  });

  const daily = new Array<number>(window.days).fill(0);
  for (const v of month) {
    const day = Number(localDate(ms(v.requestedAt), window.tz).slice(8, 10));
    daily[day - 1]! += 1;
  }

  return {
    version: REPORT_VERSION,
    month: window.month,
    timeZone: window.tz,
    from: new Date(window.startMs).toISOString(),
    to: new Date(window.endMs).toISOString(),
    generatedAt: new Date(generatedAtMs).toISOString(),
    requests: month.length,
    sessions: started.length,
    modes: { ...modes, ratio: `${modes.attended}:${modes.unattended}:${modes.emergency}`, attendedShare: rate(modes.attended, month.length) },
    outcomes: { ...o, decided, acceptRate: rate(o.accepted, decided), partialRate: rate(o.partial, decided), declineRate: rate(o.declined, decided), expireRate: rate(o.expired, decided) },
    consentRates: consentRates(month),
    timeToConsent: distribution(consent),
    tickets: {
      opened: opened.length,
      active: active.length,
      resolved: resolved.length,
      resolvedWithoutSession: resolved.length - withSession.length,
      firstContactResolved: fcr.length,
      fcrRate: rate(fcr.length, withSession.length),
      fcrBySource: bySource,
      mttr: { count: ttr.length, meanSec: ttr.length === 0 ? null : ttr.reduce((a, b) => a + b, 0) / ttr.length, medianSec: median(ttr) },
      closedAs,
      withoutOutcome: noOutcome.size,
      sessionsWithoutOutcome: started.filter((v) => v.ticketId !== null && noOutcome.has(v.ticketId)).length,
    },
    repeatIncidents: { count: repeats.length, rate: rate(repeats.length, opened.length), items: repeats },
    csat: csat(answers.filter((a) => inWindow(a.at))),
    declinedScopes,
    failureCauses: { ...failureCauses(month), common: commonCauses(month, before.filter((r): r is AuditRecord<'rejected'> => r.kind === 'rejected' && inWindow(r.at))) },
    fileTransfers: {
      total: files.length,
      bytes: files.reduce((a, f) => a + f.size, 0),
      allowed: files.filter((f) => f.allowed === true).length,
      refused: files.filter((f) => f.allowed === false).length,
      noResult: files.filter((f) => f.allowed === null).length,
      refusedByCode: [...refusedByCode].map(([code, n]) => ({ code, count: n })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    },
    technicians,
    unattended,
    emergencyWithoutDocumentation: { count: undocumented.length, tickets: undocumented },
    daily,
  };
}
