// Frames from a technician. Each is checked against ownership (a technician
// only ever sees and affects its own requests and sessions), written to the
// central audit, and only then forwarded to the agent or answered.
import { approvalUses, type ApprovalToken } from '../../protocol/approval.js';
import { approvalTokenSha256 } from '../../protocol/signed-messages.js';
import type { ErrorCode } from '../../protocol/error-codes.js';
import { errorMessage, newMessageId } from '../../protocol/frame.js';
import type { Message, ScopeRequestPayload } from '../../protocol/messages.js';
import { signScopeRequest, signSessionRequest } from '../../protocol/signed-messages.js';
import { mfaForUnattended } from '../accounts/mfa-policy.js';
import type { SignedInTechnician } from '../accounts/technician-sign-in.js';
import type { Peer } from '../peer.js';
import { latencyMark } from '../../protocol/latency-marks.js';
import { ThrottledLog } from '../throttled-log.js';
import { buildSessionRequest, checkScopes, technicianIdentity } from '../session-request-builder.js';
import type { TechnicianRecord } from '../storage/storage.js';
import type { ChannelFrames } from './channel-frames.js';
import type { ScheduleFrames } from './schedule-frames.js';
import { auditContext, rememberScopeNonce, sessionContext, type RoutedRequest, type RoutedSession } from './routed.js';
import { clockSkewRefusalText } from './clock-skew-refusals.js';
import { DOCUMENTATION_KINDS, emergencySessions } from '../audit/emergency-documentation.js';
import { EmergencyReminders } from './emergency-reminders.js';
import { toAgent, type RoutingContext } from './routing-context.js';
import type { PendingHold } from './shared-pending.js';

export class TechnicianFrames {
  private lastBusFault = '';
  /** Once a minute at most: a bus that is down fails every request's shared count. */
  private readonly busFaults = new ThrottledLog(60_000, () => Date.now(), (n) => {
    const why = `shared pending counts unavailable, this instance's caps apply (${this.lastBusFault})`;
    this.ctx.log?.(`relay bus: ${why}; ${n} request(s) since the last line`);
  });
  /** Called when a pending request's answer is overdue (the relay's own `expired`). */
  onRequestDue: (requestId: string) => void = () => undefined;

  private readonly reminders: EmergencyReminders;

  constructor(
    private readonly ctx: RoutingContext,
    private readonly channels: ChannelFrames,
    private readonly schedules: ScheduleFrames,
  ) {
    this.reminders = new EmergencyReminders(ctx.storage, () => ctx.clock.now());
  }

  async handle(peer: Peer, tech: SignedInTechnician, msg: Message): Promise<void> {
    const { audit } = this.ctx;
    switch (msg.type) {
      case 'tech.request':
        return this.request(peer, tech, msg);
      case 'session.cancel':
        return this.cancel(peer, msg);
      case 'tech.schedule':
        return this.schedules.propose(peer, tech, msg);
      case 'session.narration':
        return this.ownedSession(peer, msg.sessionId, msg.id, async (s) => {
          await audit.record('narration', sessionContext(s), { text: msg.text });
          toAgent(this.ctx, s, msg);
        });
      case 'session.note':
        return this.ownedSession(peer, msg.sessionId, msg.id, async (s) => {
          await audit.record('note', sessionContext(s), { text: msg.text });
          toAgent(this.ctx, s, msg);
        });
      case 'tech.scope-request':
        return this.ownedSession(peer, msg.sessionId, msg.id, (s) => this.scopeRequest(s, tech, msg));
      case 'session.file-transfer':
        return this.ownedSession(peer, msg.sessionId, msg.id, async (s) => {
          const { transferId, name, size, sha256, direction } = msg;
          await audit.record('file-transfer', sessionContext(s), { transferId, name, size, sha256, direction });
          toAgent(this.ctx, s, msg);
        });
      case 'session.end':
        return this.ownedSession(
          peer,
          msg.sessionId,
          msg.id,
          async (s) => {
            const reason = msg.reason ? { reason: msg.reason } : {};
            await audit.record('session-end', sessionContext(s), { by: 'technician', ...reason });
            toAgent(this.ctx, s, { ...msg, by: 'technician' });
          },
          true,
        );
      case 'channel.open':
        return this.channels.open(peer, msg);
      case 'channel.close':
        return this.ownedSession(peer, msg.sessionId, msg.id, (s) => this.channels.closed('technician', s, msg), true);
      case 'tech.close':
        return this.close(peer, tech, msg);
      case 'error':
        return;
      default:
        peer.send(errorMessage('unexpected-type', `${msg.type} is not accepted from a technician`, msg.id));
    }
  }

  private async request(peer: Peer, tech: SignedInTechnician, msg: Message<'tech.request'>): Promise<void> {
    const { caps } = this.ctx.table;
    const base = { ticketId: msg.ticket.id, deviceId: msg.deviceId, technicianId: tech.id };
    const refuse = async (code: ErrorCode, detail: string): Promise<undefined> => {
      await this.ctx.audit.record('rejected', base, { action: 'tech.request', code, detail });
      peer.send(errorMessage(code, detail, msg.id));
      return undefined;
    };
    const over = caps.refusal(tech.id, msg.deviceId);
    if (over !== undefined) return refuse('rate-limited', over);
    // Held while the request is checked and written; once pending, the pending entry holds its own slot.
    caps.hold(tech.id, msg.deviceId);
    let shared: PendingHold | undefined;
    try {
      const held = await this.holdShared(tech.id, msg.deviceId);
      if (typeof held === 'string') return await refuse('rate-limited', caps.refusalText(held, msg.deviceId));
      shared = held;
      if (await this.checkAndForward(peer, tech, msg, refuse, shared)) shared = undefined; // the request holds it now
    } finally {
      caps.release(tech.id, msg.deviceId);
      if (shared) this.ctx.table.releaseShared(shared);
    }
  }

  /**
   * A slot in the counts all instances share (with a bus). The bus failing does not stop support: this
   * instance's own caps still hold, and the fault is logged.
   */
  private async holdShared(
    technicianId: string,
    deviceId: string,
  ): Promise<PendingHold | 'technician' | 'device' | undefined> {
    const counts = this.ctx.directory.sharedPending;
    if (!counts) return undefined;
    const { clock, lifetimeMs, table } = this.ctx;
    const now = clock.now();
    const hold = { technicianId, deviceId, holdId: newMessageId(), expiresAt: now + lifetimeMs + clock.graceMs };
    try {
      return (await counts.tryHold(hold, table.caps.limits, now)) ?? hold;
    } catch (err) {
      this.lastBusFault = (err as Error).message;
      this.busFaults.note();
      return undefined;
    }
  }

  private async checkAndForward(
    peer: Peer,
    tech: SignedInTechnician,
    msg: Message<'tech.request'>,
    refuse: (code: ErrorCode, detail: string) => Promise<undefined>,
    sharedHold: PendingHold | undefined,
  ): Promise<RoutedRequest | undefined> {
    const { table, clock, audit, directory } = this.ctx;
    const base = { ticketId: msg.ticket.id, deviceId: msg.deviceId, technicianId: tech.id };
    const { lifetimeMs, random, approvalsPublicKey } = this.ctx;
    const built = buildSessionRequest(msg, tech, clock.now(), lifetimeMs, random, approvalsPublicKey);
    if (!built.ok) return refuse(built.code, built.detail);
    // After the rights and approval checks: a technician who may not do this at all is told that, not "add a code".
    if (msg.mode === 'unattended' && mfaForUnattended(this.ctx.mfa) && tech.mfaVerified !== true) {
      const how = 'sign in again with a one-time code (--otp CODE or PORCHLIGHT_OTP)';
      return refuse('mfa-required', `unattended and emergency requests need a second factor: ${how}`);
    }
    const agent = directory.agent(msg.deviceId);
    if (!agent) {
      const offsetMs = this.ctx.clockSkew.recentOffset(msg.deviceId, clock.now());
      if (offsetMs !== undefined) return refuse('agent-clock-skew', clockSkewRefusalText(msg.deviceId, offsetMs));
      return refuse('agent-offline', `device ${msg.deviceId} is not connected`);
    }
    const { payload, mode } = built;
    latencyMark('relay.request.built', payload.requestId);
    const given = payload.approval;
    // Approve --uses N: the relay takes one use per request it forwards, atomically, and gives it back when a
    // present user decided instead (agent-frames.ts); beyond N the request never reaches the device.
    const use = given?.kind === 'manager' ? await this.claimUse(given.token) : undefined;
    if (use && !use.ok) return refuse('approval-used-up', use.detail);
    const useRecord = use?.ok ? { use: use.use, uses: use.of } : {};
    const approval = given?.kind === 'manager' ? { ...managerApprovalRecord(given.token), ...useRecord } : given;
    await audit.record(
      'request',
      { ...base, requestId: payload.requestId },
      {
        technician: payload.technician,
        ticket: payload.ticket,
        mode,
        scopes: payload.scopes,
        reason: payload.reason,
        estimatedMinutes: payload.estimatedMinutes,
        ...(approval ? { approval } : {}),
        ...(payload.contact ? { contact: payload.contact } : {}),
        ...(payload.maintenance ? { maintenance: payload.maintenance } : {}),
        issuedAt: payload.issuedAt,
        expiresAt: payload.expiresAt,
      },
    );
    latencyMark('relay.request.recorded', payload.requestId);
    const req: RoutedRequest = {
      peer,
      tech,
      deviceId: msg.deviceId,
      ticketId: msg.ticket.id,
      requestId: payload.requestId,
      techMsgId: msg.id,
      scopes: payload.scopes,
      estimatedMinutes: payload.estimatedMinutes,
      dueAt: clock.now() + lifetimeMs + clock.graceMs,
      requestNonce: payload.nonce,
      timer: clock.after(lifetimeMs + clock.graceMs, () => this.onRequestDue(payload.requestId)),
      ...(use?.ok ? { approvalUse: use.hash } : {}),
      ...(sharedHold ? { sharedHold } : {}),
    };
    table.addPending(req);
    const { requestId, deviceId, verificationCode, expiresAt } = payload;
    const undocumented = await this.reminders.undocumented(tech.id);
    const reminder = undocumented.length > 0 ? { undocumentedEmergencies: undocumented.slice(0, 100) } : {};
    const pending = { requestId, deviceId, verificationCode, expiresAt, ...reminder };
    peer.send({ v: 1, type: 'session.pending', id: newMessageId(), ...pending });
    const signed = signSessionRequest(payload, this.ctx.relayKey);
    table.rememberForwarded(signed.id, req, msg.id);
    agent.send(signed);
    latencyMark('relay.request.forwarded', requestId);
    return req;
  }

  /** One more use of this approval, unless it has started as many sessions as it allows. */
  private async claimUse(token: ApprovalToken): Promise<ClaimedUse | { ok: false; detail: string }> {
    const hash = approvalTokenSha256(token);
    const of = approvalUses(token.payload);
    const now = new Date(this.ctx.clock.now()).toISOString();
    const use = await this.ctx.storage.claimApprovalUse(hash, of, token.payload.expiresAt, now);
    const detail = `approval ${token.payload.reference} has been used ${of} of ${of} time(s)`;
    if (use === null) return { ok: false, detail };
    return { ok: true, hash, use, of };
  }

  private async cancel(peer: Peer, msg: Message<'session.cancel'>): Promise<void> {
    const req = this.ctx.table.pendingRequest(msg.requestId);
    if (!req || req.peer !== peer) {
      return peer.send(errorMessage('unknown-session', 'no pending request of yours has that id', msg.id));
    }
    this.ctx.table.dropPending(req);
    await this.ctx.audit.record('cancel', auditContext(req, { requestId: req.requestId }), {});
    this.ctx.directory.agent(req.deviceId)?.send(msg);
  }

  private async scopeRequest(s: RoutedSession, tech: TechnicianRecord, msg: Message<'tech.scope-request'>) {
    const { audit, clock, random, lifetimeMs } = this.ctx;
    const allowed = checkScopes(tech, msg.scopes);
    if (!allowed.ok) {
      const { code, detail } = allowed;
      const ctx = auditContext(s, { sessionId: s.sessionId });
      await audit.record('rejected', ctx, { action: 'tech.scope-request', code, detail });
      return s.peer.send(errorMessage(code, detail, msg.id));
    }
    const nowMs = clock.now();
    const payload: ScopeRequestPayload = {
      requestId: random.id(),
      sessionId: s.sessionId,
      deviceId: s.deviceId,
      technician: technicianIdentity(tech),
      scopes: msg.scopes,
      reason: msg.reason,
      nonce: random.nonce(),
      issuedAt: new Date(nowMs).toISOString(),
      expiresAt: new Date(nowMs + lifetimeMs).toISOString(),
    };
    if (msg.extendMinutes !== undefined) {
      payload.extendMinutes = msg.extendMinutes;
      // The only way the session's end may move later: the agent's answer to this request.
      s.extensions.set(payload.requestId, msg.extendMinutes);
    }
    await audit.record('scope-request', auditContext(s, { sessionId: s.sessionId, requestId: payload.requestId }), {
      scopes: payload.scopes,
      ...(payload.extendMinutes !== undefined ? { extendMinutes: payload.extendMinutes } : {}),
      reason: payload.reason,
      expiresAt: payload.expiresAt,
    });
    rememberScopeNonce(s, payload.requestId, payload.nonce);
    const signed = signScopeRequest(payload, this.ctx.relayKey);
    this.ctx.table.rememberForwarded(signed.id, s, msg.id);
    toAgent(this.ctx, s, signed);
  }

  private async close(peer: Peer, tech: TechnicianRecord, msg: Message<'tech.close'>): Promise<void> {
    // Only a technician who requested a session on this ticket (and, if named, owns that session) may close it.
    const kinds = ['request', 'session-started', 'decision'] as const;
    const mine = await this.ctx.storage.queryAudit({ ticketId: msg.ticketId, technicianId: tech.id, kinds });
    const named = (r: { sessionId: string | null }) => msg.sessionId === undefined || r.sessionId === msg.sessionId;
    const owns = mine.some((r) => r.kind === 'request') && (msg.sessionId === undefined || mine.some(named));
    if (!owns) return peer.send(errorMessage('unknown-session', 'you have no session on that ticket', msg.id));
    // Seed 000: a ticket that had an emergency session closes only with what was done, why, and the result.
    if (msg.documentation === undefined) {
      const onTicket = await this.ctx.storage.queryAudit({ ticketId: msg.ticketId, kinds: DOCUMENTATION_KINDS });
      if (emergencySessions(onTicket).length > 0) {
        const ask = 'say what you did, why and the result (--what, --why, --result)';
        const detail = `ticket ${msg.ticketId} had an emergency session: ${ask}`;
        return peer.send(errorMessage('documentation-required', detail, msg.id));
      }
    }
    const deviceId = mine.find(named)?.deviceId ?? null;
    const ctx = { ticketId: msg.ticketId, technicianId: tech.id, sessionId: msg.sessionId ?? null, deviceId };
    const { note, documentation } = msg;
    const data = { outcome: msg.outcome, ...(note ? { note } : {}), ...(documentation ? { documentation } : {}) };
    await this.ctx.audit.record('close', ctx, data);
    peer.send({ v: 1, type: 'tech.closed', id: newMessageId(), ticketId: msg.ticketId });
  }

  /** A technician frame about one of its sessions; refused once the session ended or its granted time is over. */
  private async ownedSession(
    peer: Peer,
    sessionId: string,
    msgId: string,
    then: (s: RoutedSession) => Promise<void>,
    allowPastEnd = false,
  ): Promise<void> {
    const s = this.ctx.table.session(sessionId);
    if (!s || s.peer !== peer) {
      return peer.send(errorMessage('unknown-session', 'no live session of yours has that id', msgId));
    }
    if (s.ended && s.endedBy === 'expiry') {
      return peer.send(errorMessage('expired', `session ${sessionId} ended when its granted time ran out`, msgId));
    }
    if (s.ended) return peer.send(errorMessage('unknown-session', `session ${sessionId} has ended`, msgId));
    // The relay's clock is the judge: past endsAt nothing more reaches the agent, even before the expiry timer fires.
    if (!allowPastEnd && this.ctx.clock.isPastEnd(s)) {
      const at = new Date(s.endsAt).toISOString();
      return peer.send(errorMessage('expired', `session ${sessionId}'s granted time ended at ${at}`, msgId));
    }
    await then(s);
  }
}

/** One use of a manager approval the relay took for a request (approve --uses N). */
interface ClaimedUse {
  ok: true;
  hash: string;
  use: number;
  of: number;
}

/** What the central audit keeps of a manager approval: who, which reference, until when, and the token itself. */
function managerApprovalRecord(token: ApprovalToken) {
  const { approver, reference, expiresAt } = token.payload;
  return { kind: 'manager' as const, approver, reference, expiresAt, token };
}
