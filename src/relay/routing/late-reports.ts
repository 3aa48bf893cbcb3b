// Agent reports the relay lost (killed before it wrote or acknowledged them,
// or the session ended while the agent was disconnected), re-sent by the agent
// as `session.late`. De-duplicated by device + agent seq against the central
// audit, device signatures checked as for any report, then appended with
// `late: true` in the context of the session's earlier records. Never routed:
// the technician of that session is long gone or heard the relay's own end.
import { errorMessage } from '../../protocol/frame.js';
import type { LateReport, Message } from '../../protocol/messages.js';
import type { AuditAnchor } from '../../protocol/primitives.js';
import type { AuditRecord } from '../audit/audit-record.js';
import type { AuditContext } from '../audit/central-audit.js';
import type { Peer } from '../peer.js';
import { passesDeviceSignature, type VerifiedDeviceSig } from './device-signature-gate.js';
import { recordedAck } from './recorded-ack.js';
import type { RoutingContext } from './routing-context.js';

export async function recordLateReport(
  ctx: RoutingContext,
  peer: Peer,
  deviceId: string,
  msg: Message<'session.late'>,
): Promise<void> {
  const r = msg.report;
  if (!r.audit) return peer.send(errorMessage('bad-frame', 'a late report must carry its audit anchor', msg.id));
  const anchor = { seq: r.audit.seq, hash: r.audit.hash };
  const ids = idsOf(r);
  const related = await ctx.storage.queryAudit({
    deviceId,
    ...(ids.sessionId !== undefined ? { sessionId: ids.sessionId } : { requestId: ids.requestId! }),
  });
  const dup = related.find((x) => (x.data as { agentAudit?: AuditAnchor }).agentAudit?.seq === anchor.seq);
  if (dup) return peer.send(recordedAck(r, dup, { duplicate: true }));
  // One answer on the fix per session, late or not (resolution-reports.ts keeps the same rule).
  const answered = r.type === 'session.resolution' ? related.find((x) => x.kind === 'resolution') : undefined;
  if (answered) return peer.send(recordedAck(r, answered, { duplicate: true }));
  const signed = await passesDeviceSignature(ctx, peer, deviceId, r);
  if (signed === false) return;
  // The user's words and answer are bound to their session's request, which only the central audit still knows.
  const start = related.find((x) => x.kind === 'session-started');
  const usersWord = r.type === 'session.user-message' || r.type === 'session.resolution';
  if (usersWord && signed && start && signed.requestId !== start.requestId) {
    const detail = `${r.type} is signed for another request than its session`;
    const where = { deviceId, requestId: start.requestId, sessionId: r.sessionId };
    await ctx.audit.record('rejected', where, { action: r.type, code: 'bad-signature', detail });
    return peer.send(errorMessage('bad-signature', detail, r.id));
  }
  const extra = { agentAudit: anchor, ...(signed ? { deviceSig: signed } : {}), late: true as const };
  const rec = await recordAs(ctx, contextOf(deviceId, r, ids, related), r, extra);
  peer.send(recordedAck(r, rec));
}

interface Ids {
  requestId?: string;
  sessionId?: string;
}

function idsOf(r: LateReport): Ids {
  switch (r.type) {
    case 'session.decision':
      return { requestId: r.requestId, ...(r.sessionId !== undefined ? { sessionId: r.sessionId } : {}) };
    case 'session.started':
      return { requestId: r.requestId, sessionId: r.sessionId };
    case 'session.summary':
      return { requestId: r.summary.requestId, sessionId: r.summary.sessionId };
    default:
      return { sessionId: r.sessionId };
  }
}

/** Ticket and technician from the session's earlier central records (the request always has them). */
function contextOf(deviceId: string, r: LateReport, ids: Ids, related: readonly AuditRecord[]): AuditContext {
  const known = related.find((x) => x.ticketId !== null);
  const fromSummary = r.type === 'session.summary' ? r.summary : undefined;
  return {
    deviceId,
    ticketId: known?.ticketId ?? fromSummary?.ticket.id ?? null,
    technicianId: known?.technicianId ?? fromSummary?.technician.id ?? null,
    requestId: ids.requestId ?? known?.requestId ?? null,
    sessionId: ids.sessionId ?? null,
  };
}

type Extra = { agentAudit: AuditAnchor; deviceSig?: VerifiedDeviceSig; late: true };

function recordAs(ctx: RoutingContext, where: AuditContext, r: LateReport, extra: Extra): Promise<AuditRecord> {
  const { audit } = ctx;
  // File-rule outcomes and ends are not device-signed: their records keep no signature.
  const unsigned = { agentAudit: extra.agentAudit, late: extra.late };
  switch (r.type) {
    case 'session.decision': {
      const { outcome, granted, declined, decidedBy, decidedAt, code, detail, grantedMinutes, approvalPath } = r;
      const minutes = grantedMinutes !== undefined ? { grantedMinutes } : {};
      const path = approvalPath ? { approvalPath } : {};
      const optional = { ...(code ? { code } : {}), ...(detail ? { detail } : {}), ...minutes, ...path };
      const data = { outcome, granted, declined, decidedBy, decidedAt, ...optional, ...extra };
      return audit.record('decision', where, data);
    }
    case 'session.started': {
      const { scopes, mode, startedAt, endsAt } = r;
      return audit.record('session-started', where, { scopes, mode, startedAt, endsAt, ...extra });
    }
    case 'session.scope-update': {
      const { change, scopes, granted, endsAt, requestId } = r;
      const answers = requestId !== undefined ? { answers: requestId } : {};
      return audit.record('scope-update', where, { change, scopes, granted, endsAt, ...answers, ...extra });
    }
    case 'session.file-transfer-result': {
      const { transferId, allowed, code, detail } = r;
      const optional = { ...(code ? { code } : {}), ...(detail ? { detail } : {}) };
      return audit.record('file-transfer-result', where, { transferId, allowed, ...optional, ...unsigned });
    }
    case 'session.end':
      return audit.record('session-end', where, { by: r.by, ...(r.reason ? { reason: r.reason } : {}), ...unsigned });
    case 'session.summary':
      return audit.record('session-summary', where, { summary: r.summary, ...extra });
    case 'session.user-message': {
      const { text, at, quick } = r;
      return audit.record('user-message', where, { text, at, ...(quick ? { quick } : {}), ...extra });
    }
    case 'session.resolution': {
      const { solved, at, rating, comment } = r;
      const optional = { ...(rating !== undefined ? { rating } : {}), ...(comment !== undefined ? { comment } : {}) };
      return audit.record('resolution', where, { solved, at, ...optional, ...extra });
    }
  }
}
