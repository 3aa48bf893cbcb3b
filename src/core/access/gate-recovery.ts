// At start, before the agent connects: sessions the audit log shows with
// access opened (or granted) but never closed cleanly, because the agent
// crashed or was killed, are closed through today's gates. A session counts
// as closed once `gate.session-closed` is recorded for it; a failed close is
// retried at the next start. Then every session the log shows started (or
// granted) without a `session.ended` gets one, `by: agent-restart`,
// `clean: false`, so the device's own log says how each session ended.
import { z } from 'zod';
import { SCOPES, type Scope } from '../../protocol/scopes.js';
import type { RecordThenSend } from '../audit/record-then-send.js';
import { readAuditLines } from '../audit/read-lines.js';
import type { GateSession } from './access-gate.js';
import type { GateSet } from './gate-set.js';

const scope = z.enum(SCOPES);
const ids = {
  sessionId: z.string().min(1).max(200),
  ticketId: z.string().max(200).catch(''),
  technicianId: z.string().max(200).catch(''),
  technicianName: z.string().max(200).catch(''),
  deviceId: z.string().max(200).catch(''),
};
/** Only the fields recovery reads; anything else in a record is ignored. */
const opening = z.looseObject({ type: z.literal('gate.opening'), ...ids, scope });
const decision = z.looseObject({ type: z.enum(['consent.decision', 'escalation.decision']), ...ids, granted: z.array(scope) });
const started = z.looseObject({ type: z.literal('session.started'), ...ids });
// A granted session that never started (the relay did not confirm, or no gate applied) ended as surely as one that did.
const closing = z.looseObject({ type: z.enum(['gate.session-closed', 'session.ended', 'consent.unconfirmed', 'session.not-started']), sessionId: z.string() });

interface Seen {
  session: GateSession;
  scopes: Set<Scope>;
  opened: boolean;
  /** The request the session answered, when a record named it. */
  requestId?: string;
  /** A decision granted something or `session.started` was recorded. */
  live: boolean;
}

export interface RecoveryReport {
  /** Sessions closed now. */
  closed: string[];
  /** Sessions whose close failed (retried at the next start). */
  failed: string[];
  /** Sessions recorded now as ended by `agent-restart`. */
  ended: string[];
}

export async function recoverLeftOpen(auditDir: string, gates: GateSet, audited: RecordThenSend, deviceId: string): Promise<RecoveryReport> {
  const report: RecoveryReport = { closed: [], failed: [], ended: [] };
  const log = readSessions(auditDir);
  if (gates.anyGates) await closeGates(log, gates, audited, deviceId, report);
  for (const seen of log.seen.filter((s) => s.live && !log.ended.has(s.session.sessionId))) {
    const { sessionId, ticketId, technicianId } = seen.session;
    const reason = 'the agent stopped (crash or kill) with this session open; recorded at the next start';
    const fields = { sessionId, ...(seen.requestId ? { requestId: seen.requestId } : {}), ticketId, technicianId };
    await audited.recordOnly('session.ended', { ...fields, by: 'agent-restart', clean: false, reason });
    report.ended.push(sessionId);
  }
  return report;
}

async function closeGates(log: SessionsInLog, gates: GateSet, audited: RecordThenSend, deviceId: string, report: RecoveryReport): Promise<void> {
  for (const seen of leftOpenIn(log)) {
    // Decision records carry no device id: it is this device.
    if (seen.session.deviceId === '') seen.session = { ...seen.session, deviceId };
    const scopes = [...seen.scopes].filter((s) => gates.guards(s));
    if (!seen.opened && scopes.length === 0) continue;
    const failed = await gates.closeLeftOpen(seen.session, scopes);
    const ok = failed.length === 0;
    (ok ? report.closed : report.failed).push(seen.session.sessionId);
    const why = 'the agent stopped without closing this session';
    await audited.recordOnly('gate.recovered', { sessionId: seen.session.sessionId, scopes, ok, reason: why });
  }
}

interface SessionsInLog {
  seen: Seen[];
  /** Sessions with `session.ended`. */
  ended: Set<string>;
  /** Sessions with `gate.session-closed`. */
  closed: Set<string>;
}

/** Sessions with access granted or opened and no clean close, oldest first. */
function leftOpenIn({ seen, ended, closed }: SessionsInLog): Seen[] {
  // Files sort by day name, so a clock set back can put a close before its open: match by id, not by order.
  // Access opened through a gate stays open until the gates closed it; consent-only grants end with the session.
  return seen.filter((s) => {
    const id = s.session.sessionId;
    return !closed.has(id) && (s.opened || !ended.has(id));
  });
}

function readSessions(auditDir: string): SessionsInLog {
  const bySession = new Map<string, Seen>();
  const ended = new Set<string>();
  const closed = new Set<string>();
  const entry = (session: GateSession): Seen => {
    let seen = bySession.get(session.sessionId);
    if (!seen) {
      seen = { session, scopes: new Set(), opened: false, live: false };
      bySession.set(session.sessionId, seen);
    }
    return seen;
  };
  for (const line of readAuditLines(auditDir)) {
    const record = parseLine(line.text);
    if (record === undefined) continue;
    const o = opening.safeParse(record);
    if (o.success) {
      const seen = entry(sessionOf(o.data));
      seen.opened = true;
      seen.scopes.add(o.data.scope);
      continue;
    }
    const d = decision.safeParse(record);
    if (d.success) {
      const seen = entry(sessionOf(d.data));
      for (const s of d.data.granted) seen.scopes.add(s);
      if (d.data.granted.length > 0) seen.live = true;
      if (d.data.type === 'consent.decision') seen.requestId ??= requestIdOf(record);
      continue;
    }
    const st = started.safeParse(record);
    if (st.success) {
      const seen = entry(sessionOf(st.data));
      seen.live = true;
      seen.requestId ??= requestIdOf(record);
      continue;
    }
    const c = closing.safeParse(record);
    if (c.success) (c.data.type === 'gate.session-closed' ? closed : ended).add(c.data.sessionId);
  }
  return { seen: [...bySession.values()], ended, closed };
}

function requestIdOf(record: unknown): string | undefined {
  const id = (record as { requestId?: unknown }).requestId;
  return typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : undefined;
}

function sessionOf(r: Record<string, unknown> & { sessionId: string }): GateSession {
  const text = (k: string) => (typeof r[k] === 'string' ? (r[k] as string) : '');
  return {
    sessionId: r.sessionId,
    ticketId: text('ticketId'),
    technicianId: text('technicianId'),
    technicianName: text('technicianName'),
    deviceId: text('deviceId'),
  };
}

function parseLine(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
