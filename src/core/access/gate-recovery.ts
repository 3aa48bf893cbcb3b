// At start, before the agent connects: sessions the audit log shows with
// access opened (or granted) but never closed cleanly, because the agent
// crashed or was killed, are closed through today's gates. A session counts
// as closed once `gate.session-closed` is recorded for it; a failed close is
// retried at the next start.
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
const closing = z.looseObject({ type: z.enum(['gate.session-closed', 'session.ended']), sessionId: z.string() });

interface Seen {
  session: GateSession;
  scopes: Set<Scope>;
  opened: boolean;
}

export interface RecoveryReport {
  /** Sessions closed now. */
  closed: string[];
  /** Sessions whose close failed (retried at the next start). */
  failed: string[];
}

export async function recoverLeftOpen(auditDir: string, gates: GateSet, audited: RecordThenSend, deviceId: string): Promise<RecoveryReport> {
  const report: RecoveryReport = { closed: [], failed: [] };
  if (!gates.anyGates) return report;
  for (const seen of leftOpen(auditDir)) {
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
  return report;
}

/** Sessions with access granted or opened and no clean close, oldest first. */
export function leftOpen(auditDir: string): Seen[] {
  const bySession = new Map<string, Seen>();
  const ended = new Set<string>();
  const closed = new Set<string>();
  const entry = (session: GateSession): Seen => {
    let seen = bySession.get(session.sessionId);
    if (!seen) {
      seen = { session, scopes: new Set(), opened: false };
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
      for (const s of d.data.granted) entry(sessionOf(d.data)).scopes.add(s);
      continue;
    }
    const c = closing.safeParse(record);
    if (c.success) (c.data.type === 'session.ended' ? ended : closed).add(c.data.sessionId);
  }
  // Files sort by day name, so a clock set back can put a close before its open: match by id, not by order.
  // Access opened through a gate stays open until the gates closed it; consent-only grants end with the session.
  return [...bySession.values()].filter((s) => {
    const id = s.session.sessionId;
    return !closed.has(id) && (s.opened || !ended.has(id));
  });
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
