// Frames from an agent. Each is checked against the device it authenticated
// as, written to the central audit, and only then passed to the technician.
// The relay keeps its own view of each session's granted time from here.
import type { ErrorCode } from '../../protocol/error-codes.js';
import { errorMessage } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import type { AuditAnchor } from '../../protocol/primitives.js';
import type { Peer } from '../peer.js';
import type { ChannelFrames } from './channel-frames.js';
import type { ScheduleFrames } from './schedule-frames.js';
import { auditContext, ownerOf, sessionContext, type RoutedRequest, type RoutedSession } from './routed.js';
import { passesDeviceSignature, type VerifiedDeviceSig } from './device-signature-gate.js';
import { recordQuietly, type RoutingContext } from './routing-context.js';
import { answerUnrecordedDecision } from './unrecorded-decision.js';
import { recordedAck } from './recorded-ack.js';
import { latencyMark } from '../../protocol/latency-marks.js';
import { recordLateReport } from './late-reports.js';
import { ResolutionReports } from './resolution-reports.js';

type SigEvidence = { deviceSig?: VerifiedDeviceSig };

export class AgentFrames {
  /** Called when a pending request's answer is overdue (re-armed after a decision the audit could not take). */
  onRequestDue: (requestId: string) => void = () => undefined;

  readonly resolutions: ResolutionReports;

  constructor(
    private readonly ctx: RoutingContext,
    private readonly channels: ChannelFrames,
    private readonly schedules: ScheduleFrames,
  ) {
    this.resolutions = new ResolutionReports(ctx);
  }

  async handle(peer: Peer, deviceId: string, msg: Message): Promise<void> {
    const { audit, table } = this.ctx;
    if (msg.type === 'session.decision') latencyMark('relay.decision.frame', msg.requestId);
    const signed = await passesDeviceSignature(this.ctx, peer, deviceId, msg);
    if (signed === false) return;
    if (msg.type === 'session.decision') latencyMark('relay.decision.verified', msg.requestId);
    const sig = signed ? { deviceSig: signed } : {};
    switch (msg.type) {
      case 'session.decision':
        return this.decision(peer, deviceId, msg, sig);
      case 'session.started':
        return this.started(peer, deviceId, msg, sig);
      case 'session.scope-update':
        return this.deviceSession(peer, deviceId, msg.sessionId, msg.id, (s) => this.scopeUpdate(peer, s, msg, sig));
      case 'session.user-message':
        // The user's own words (issue 20): in the central audit, then to the technician of that session.
        return this.deviceSession(peer, deviceId, msg.sessionId, msg.id, async (s) => {
          const { text, at, quick } = msg;
          const data = { text, at, ...(quick ? { quick } : {}), ...anchorOf(msg), ...sig };
          const rec = await audit.record('user-message', sessionContext(s), data);
          peer.send(recordedAck(msg, rec));
          s.peer.send(msg);
        });
      case 'session.file-transfer-result':
        return this.deviceSession(peer, deviceId, msg.sessionId, msg.id, async (s) => {
          const { transferId, allowed, code, detail } = msg;
          const outcome = { transferId, allowed, ...(code ? { code } : {}), ...(detail ? { detail } : {}) };
          const rec = await audit.record('file-transfer-result', sessionContext(s), { ...outcome, ...anchorOf(msg) });
          peer.send(recordedAck(msg, rec));
          s.peer.send(msg);
        });
      case 'session.end':
        return this.deviceSession(
          peer,
          deviceId,
          msg.sessionId,
          msg.id,
          async (s) => {
            // The relay may have ended it first (expiry); the agent's own end then adds nothing.
            if (s.ended) return peer.send(recordedAck(msg, undefined));
            table.markEnded(s, msg.by);
            const reason = msg.reason ? { reason: msg.reason } : {};
            const data = { by: msg.by, ...reason, ...anchorOf(msg) };
            const rec = await audit.record('session-end', sessionContext(s), data);
            peer.send(recordedAck(msg, rec));
            s.peer.send(msg);
          },
          true,
        );
      case 'session.summary':
        return this.deviceSession(
          peer,
          deviceId,
          msg.summary.sessionId,
          msg.id,
          async (s) => {
            table.forget(s);
            this.resolutions.sessionEnded(s.sessionId, s.peer);
            const rec = await audit.record('session-summary', sessionContext(s), {
              summary: msg.summary,
              ...anchorOf(msg),
              ...sig,
            });
            peer.send(recordedAck(msg, rec));
            s.peer.send(msg);
          },
          true,
        );
      case 'channel.opened':
        return this.channels.opened(deviceId, peer, msg);
      case 'channel.close':
        return this.deviceSession(
          peer,
          deviceId,
          msg.sessionId,
          msg.id,
          (s) => this.channels.closed('agent', s, msg),
          true,
        );
      case 'session.resolution':
        return this.resolutions.handle(peer, deviceId, msg, sig.deviceSig);
      case 'schedule.decision':
        return this.schedules.decided(peer, deviceId, msg);
      case 'schedule.revoked':
        return this.schedules.revoked(peer, deviceId, msg);
      case 'session.late':
        return recordLateReport(this.ctx, peer, deviceId, msg);
      case 'error':
        return this.error(msg);
      default:
        peer.send(errorMessage('unexpected-type', `${msg.type} is not accepted from an agent`, msg.id));
    }
  }

  private async decision(
    peer: Peer,
    deviceId: string,
    msg: Message<'session.decision'>,
    sig: SigEvidence,
  ): Promise<void> {
    const { table, audit } = this.ctx;
    const req = table.pendingRequest(msg.requestId);
    if (!req || req.deviceId !== deviceId) {
      return peer.send(errorMessage('unknown-session', 'no pending request for this device has that id', msg.id));
    }
    table.dropPending(req);
    const { outcome, granted, declined, decidedBy, decidedAt, code, detail, grantedMinutes, sessionId } = msg;
    const { approvalPath } = msg;
    let rec;
    try {
      const where = auditContext(req, { requestId: req.requestId, sessionId: sessionId ?? null });
      rec = await audit.record('decision', where, {
        outcome,
        granted,
        declined,
        decidedBy,
        decidedAt,
        ...(code ? { code } : {}),
        ...(detail ? { detail } : {}),
        ...(grantedMinutes !== undefined ? { grantedMinutes } : {}),
        ...(approvalPath ? { approvalPath } : {}),
        ...anchorOf(msg),
        ...sig,
      });
    } catch (err) {
      return answerUnrecordedDecision(this.ctx, peer, req, msg, err, (id) => this.onRequestDue(id));
    }
    // The approval started nothing (a present user decided, or it was refused): its use goes back.
    const approvalStarted = decidedBy === 'approval' && granted.length > 0;
    if (req.approvalUse && !approvalStarted) await this.ctx.storage.releaseApprovalUse(req.approvalUse);
    latencyMark('relay.decision.recorded', msg.requestId);
    if ((outcome === 'accepted' || outcome === 'partial') && granted.length > 0) this.awaitStart(req, msg);
    // Only now may the agent apply a grant: the decision is in the central audit.
    peer.send(recordedAck(msg, rec));
    req.peer.send(msg);
    latencyMark('relay.decision.forwarded', msg.requestId);
  }

  /** An accepted decision: the relay takes the granted time and starts counting it now. */
  private awaitStart(req: RoutedRequest, msg: Message<'session.decision'>): void {
    const { table, clock } = this.ctx;
    const { grantedMinutes, sessionId } = msg;
    // The request's estimate is at least one minute (protocol `minutes`), so there is always a grant.
    const grantedMs = (grantedMinutes ?? req.estimatedMinutes) * 60_000;
    const decidedAt = clock.now();
    const named = sessionId !== undefined ? { sessionId } : {};
    const { requestNonce } = req;
    table.awaitStart(req.requestId, { ...ownerOf(req), ...named, grantedMs, decidedAt, requestNonce });
    if (sessionId === undefined) return;
    const s: RoutedSession = {
      ...ownerOf(req),
      sessionId,
      requestId: req.requestId,
      ended: false,
      started: false,
      grantedMs,
      extensions: new Map(),
      endsAt: decidedAt + grantedMs,
      clockOffsetMs: 0,
      granted: new Set(msg.granted),
      requestNonce,
      scopeNonces: new Map(),
    };
    table.setSession(s);
    // Armed now, so a session whose agent never sends session.started still ends.
    clock.armExpiry(s, s.endsAt);
  }

  private async started(
    peer: Peer,
    deviceId: string,
    msg: Message<'session.started'>,
    sig: SigEvidence,
  ): Promise<void> {
    const { table, clock, audit } = this.ctx;
    const known = table.session(msg.sessionId);
    const awaiting = table.awaitingStart(msg.requestId);
    const owner = known ?? awaiting;
    if (!owner || owner.deviceId !== deviceId) {
      return peer.send(errorMessage('unknown-session', 'no accepted request for this device has that id', msg.id));
    }
    const refuse = async (code: ErrorCode, detail: string) => {
      const ctx = auditContext(owner, { sessionId: msg.sessionId, requestId: msg.requestId });
      await audit.record('rejected', ctx, { action: 'session.started', code, detail });
      peer.send(errorMessage(code, detail, msg.id));
    };
    // A session starts once: a second session.started (after the start, or after the end) would restart its clock.
    if (known && (known.started || known.ended)) {
      return refuse('unexpected-type', `session ${msg.sessionId} already ${known.ended ? 'ended' : 'started'}`);
    }
    const otherRequest = known !== undefined && known.requestId !== msg.requestId;
    if (!awaiting || otherRequest || (awaiting.sessionId !== undefined && awaiting.sessionId !== msg.sessionId)) {
      return refuse('unknown-session', 'that session does not belong to that accepted request');
    }
    if (clock.now() >= awaiting.decidedAt + awaiting.grantedMs) {
      return refuse('expired', 'the granted time ran out before the session started');
    }
    table.stopAwaiting(msg.requestId);
    if (known) clock.cancel(known.expiryTimer);
    const startedAt = clock.now();
    const clockOffsetMs = startedAt - Date.parse(msg.startedAt);
    const s: RoutedSession = {
      ...ownerOf(owner),
      sessionId: msg.sessionId,
      requestId: msg.requestId,
      ended: false,
      started: true,
      grantedMs: awaiting.grantedMs,
      extensions: new Map(),
      endsAt: Number.NaN,
      clockOffsetMs,
      granted: new Set(msg.scopes),
      requestNonce: awaiting.requestNonce,
      scopeNonces: known?.scopeNonces ?? new Map(),
    };
    table.setSession(s);
    // The agent's window counts, but never beyond what it granted at the decision, measured from now.
    const claimed = Date.parse(msg.endsAt) + clockOffsetMs;
    clock.armExpiry(s, Math.min(Number.isNaN(claimed) ? Number.POSITIVE_INFINITY : claimed, startedAt + s.grantedMs));
    const { scopes, mode, endsAt } = msg;
    const data = { scopes, mode, startedAt: msg.startedAt, endsAt, ...anchorOf(msg), ...sig };
    const rec = await audit.record('session-started', sessionContext(s), data);
    peer.send(recordedAck(msg, rec));
    s.peer.send(msg);
  }

  /** The scope change is the agent's to make; its endsAt moves later only by an extension the technician asked for. */
  private async scopeUpdate(
    agent: Peer,
    s: RoutedSession,
    msg: Message<'session.scope-update'>,
    sig: SigEvidence,
  ): Promise<void> {
    const { audit, clock } = this.ctx;
    const extendMinutes = msg.requestId !== undefined ? s.extensions.get(msg.requestId) : undefined;
    if (msg.requestId !== undefined) s.extensions.delete(msg.requestId);
    const allowed = s.endsAt + (extendMinutes ?? 0) * 60_000;
    const claimed = Date.parse(msg.endsAt) + s.clockOffsetMs;
    const ctx = auditContext(s, { sessionId: s.sessionId, requestId: msg.requestId ?? s.requestId });
    const { change, scopes, granted, endsAt } = msg;
    const answers = msg.requestId !== undefined ? { answers: msg.requestId } : {};
    const data = { change, scopes, granted, endsAt, ...answers, ...anchorOf(msg), ...sig };
    const rec = await audit.record('scope-update', ctx, data);
    agent.send(recordedAck(msg, rec));
    if (claimed > allowed) {
      const stillEndsAt = new Date(allowed).toISOString();
      const detail = `endsAt ${endsAt} is later than the granted time allows; the session still ends at ${stillEndsAt}`;
      await audit.record('rejected', ctx, { action: 'session.scope-update', code: 'forbidden', detail });
    }
    if (!s.ended && !Number.isNaN(claimed)) clock.armExpiry(s, Math.min(claimed, allowed));
    // A narrowing applies now; a widening is the agent's word after fresh consent, so the relay follows it.
    s.granted = new Set(msg.granted);
    await this.channels.grantsChanged(s);
    s.peer.send(msg);
  }

  private async deviceSession(
    peer: Peer,
    deviceId: string,
    sessionId: string,
    msgId: string,
    then: (s: RoutedSession) => Promise<void>,
    allowEnded = false,
  ): Promise<void> {
    const s = this.ctx.table.session(sessionId);
    if (!s || s.deviceId !== deviceId || (s.ended && !allowEnded)) {
      return peer.send(errorMessage('unknown-session', 'no live session on this device has that id', msgId));
    }
    await then(s);
  }

  /** An agent refused a forwarded request: the technician who sent it hears why. */
  private async error(msg: Message<'error'>): Promise<void> {
    if (msg.re === undefined) return;
    const { table, audit } = this.ctx;
    const f = table.takeForwarded(msg.re);
    if (!f) return;
    const refused = table.pendingWhere((r) => r.peer === f.owner.peer && r.techMsgId === f.techMsgId);
    for (const req of refused) table.dropPending(req);
    const { ticketId, deviceId, tech } = f.owner;
    const data = { action: 'agent-error', code: msg.code, ...(msg.detail ? { detail: msg.detail } : {}) };
    await recordQuietly(audit, 'rejected', { ticketId, deviceId, technicianId: tech.id }, data);
    f.owner.peer.send(errorMessage(msg.code, msg.detail ?? 'the agent refused the request', f.techMsgId));
  }
}

/** The agent's audit anchor, kept in the central record (the technician gets the message as the agent sent it). */
function anchorOf(msg: { audit?: AuditAnchor }): { agentAudit?: AuditAnchor } {
  return msg.audit ? { agentAudit: { seq: msg.audit.seq, hash: msg.audit.hash } } : {};
}
