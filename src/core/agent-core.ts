// The agent's brain, independent of the transport: takes verified-or-not
// relay messages, runs verification -> policy -> consent -> session, writes
// every step to the audit log and only then reports to the relay.
import { randomUUID } from 'node:crypto';
import type { ErrorCode } from '../protocol/error-codes.js';
import { errorMessage, newMessageId } from '../protocol/frame.js';
import type { DecidedBy, Message, Outcome } from '../protocol/messages.js';
import { sortScopes, type Scope } from '../protocol/scopes.js';
import type { AuditFields, AuditRecord } from '../protocol/agent-audit-record.js';
import type { AuditSink } from './audit/audit-log.js';
import type { Clock } from '../shared/clock.js';
import { askUser } from './consent/ask-user.js';
import { BlockNotices } from './consent/block-notices.js';
import { ConsentStateMachine, type ConsentState } from './consent/consent-state.js';
import { escalationConsentView, INPUT_SCOPES, sessionConsentView } from './consent/consent-view.js';
import { PromptQueue } from './consent/prompt-queue.js';
import { RateLimiter } from './consent/rate-limiter.js';
import type { Policy } from './policy/schema.js';
import { checkFileTransfer } from './session/file-rules.js';
import { LiveSession, type EndReason } from './session/live-session.js';
import type { AgentStatus, UiPort } from './ui-port.js';
import type { ReplayCache } from './verification/replay-cache.js';
import { verifySessionRequest, type VerifiedRequest } from './verification/verify-request.js';
import { verifyScopeRequest, type VerifiedEscalation } from './verification/verify-scope-request.js';

/** Relay messages the core handles (`welcome` stays in the connection layer). */
export type CoreInbound = Message<'session.request' | 'session.cancel' | 'session.narration' | 'session.scope-request' | 'session.file-transfer' | 'session.end' | 'error'>;

export interface AgentCoreOptions {
  policy: Policy;
  ui: UiPort;
  audit: AuditSink;
  replay: ReplayCache;
  deviceId: string;
  clock: Clock;
  /** `headless`: nobody can answer a prompt, attended requests decline with no-user-present. */
  presence: 'interactive' | 'headless';
  /** Hand a message to the relay; false when not connected. */
  send: (msg: Message) => boolean;
  newSessionId?: () => string;
  /**
   * An escalation while the technician holds `control` or `admin`: ask for the
   * confirmation code (default), or decline without a prompt where the dialog
   * is not hidden from the remote viewer (Linux), so the code would not be secret.
   */
  escalationWhileControlled?: EscalationWhileControlled;
  /** Makes the escalation confirmation code (tests: a known code). */
  confirmCode?: () => string;
}

export type EscalationWhileControlled = 'confirm-code' | 'decline';

/** Audit detail and user notice when escalations stop being asked for; fixed texts, nothing from the request. */
const CODE_MISMATCH_DETAIL = 'confirmation code mismatch';
const CODE_MISMATCH_NOTICE = 'A request for more access was refused: the confirmation code was wrong. If you did not type it, end the session.';
const CONTROLLED_DETAIL = 'end the session or revoke control first';
const CONTROLLED_NOTICE = 'A request for more access was refused while the technician controls this computer. To allow more, end the session or revoke control first.';
/** Requests refused for these reasons may be forged: their notice shows no field of the request. */
const SHOWS_REQUEST_FIELDS = new Set<ErrorCode>(['policy-blocked', 'bad-approval']);
const FORGED_NOTICE = 'A request that failed verification was blocked.';

interface Decision {
  outcome: Outcome;
  granted: Scope[];
  decidedBy: DecidedBy;
  code?: ErrorCode;
  detail?: string;
}

interface PendingRequest {
  payload: Message<'session.request'>['payload'];
  sm: ConsentStateMachine;
}

const OUTCOME_STATE: Record<Outcome, ConsentState> = {
  accepted: 'accepted',
  partial: 'partial',
  declined: 'declined',
  expired: 'expired',
  blocked: 'blocked',
  'no-user-present': 'no-user-present',
};

export class AgentCore {
  private readonly rate: RateLimiter;
  private readonly queue: PromptQueue;
  private readonly blockNotices: BlockNotices;
  private readonly requests = new Map<string, PendingRequest>();
  private readonly inflight = new Set<Promise<unknown>>();
  private session: LiveSession | undefined;
  private sessionTimer: unknown;
  private promptOpen = false;
  private connection: AgentStatus['connection'] = 'disconnected';
  private relayUrl: string | undefined;
  private stopped = false;
  /** Sessions that got a wrong confirmation code: no more escalation prompts in them. */
  private codeFailed = new Set<string>();
  /** `${sessionId} ${notice}` already shown, so a scripted technician can't flood the desktop. */
  private noticesShown = new Set<string>();

  constructor(private readonly o: AgentCoreOptions) {
    this.rate = new RateLimiter(o.policy.rateLimit);
    this.queue = new PromptQueue(o.policy.queueSize, () => this.pushStatus());
    this.blockNotices = new BlockNotices(o.clock, (n) => o.ui.notify(n));
  }

  // ---- inputs ------------------------------------------------------------------

  handle(msg: CoreInbound): Promise<void> {
    if (this.stopped) return Promise.resolve();
    switch (msg.type) {
      case 'session.request':
        return this.track(this.onRequest(msg));
      case 'session.cancel':
        return this.track(this.onCancel(msg));
      case 'session.scope-request':
        return this.track(this.onScopeRequest(msg));
      case 'session.narration':
        return this.track(this.onNarration(msg));
      case 'session.file-transfer':
        return this.track(this.onFileTransfer(msg));
      case 'session.end':
        // The relay ends a session for the technician, or itself when the granted time is over (expiry) or by policy.
        return this.track(this.endLive(msg.sessionId, msg.by === 'expiry' || msg.by === 'policy' ? msg.by : 'technician', msg.reason, true).then(() => undefined));
      case 'error':
        return this.track(this.auditQuietly('relay.error', { code: msg.code, detail: msg.detail, re: msg.re }));
    }
  }

  setConnection(state: AgentStatus['connection'], relayUrl?: string): void {
    this.connection = state;
    if (relayUrl !== undefined) this.relayUrl = relayUrl;
    this.pushStatus();
  }

  /** The relay went away: every prompt declines and the live session ends. */
  relayLost(): Promise<void> {
    this.queue.abortAll('relay-lost');
    const s = this.session;
    return this.track(s ? this.endLive(s.id, 'relay-lost').then(() => undefined) : Promise.resolve());
  }

  revokeScope(sessionId: string, scope: Scope): Promise<boolean> {
    return this.track(this.onRevoke(sessionId, scope));
  }

  endSession(sessionId: string): Promise<boolean> {
    return this.track(this.endLive(sessionId, 'user', 'the user ended the session'));
  }

  async stop(): Promise<void> {
    this.queue.abortAll('agent-restart');
    if (this.session) await this.track(this.endLive(this.session.id, 'agent-exit'));
    await this.idle();
    this.blockNotices.stop();
    this.stopped = true;
  }

  status(): AgentStatus {
    const s = this.session;
    return {
      connection: this.connection,
      ...(this.relayUrl ? { relayUrl: this.relayUrl } : {}),
      prompting: this.promptOpen,
      ...(s ? { session: { sessionId: s.id, technicianName: s.init.technician.name, ticketId: s.init.ticket.id, endsAt: new Date(s.endsAt).toISOString() } } : {}),
    };
  }

  /** Granted scopes of the live session (empty when none): what the technician may do right now. */
  grants(): Scope[] {
    return this.session ? this.session.grantedScopes() : [];
  }

  requestState(requestId: string): ConsentState | undefined {
    return this.requests.get(requestId)?.sm.state;
  }

  /** Resolves when no work started so far is still running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  // ---- new session requests ----------------------------------------------------------

  private async onRequest(msg: Message<'session.request'>): Promise<void> {
    const p = msg.payload;
    const req: PendingRequest = { payload: p, sm: new ConsentStateMachine() };
    this.requests.set(p.requestId, req);
    // Keep the state of recent requests only (for status and tests), bounded.
    for (const [id, r] of this.requests) if (this.requests.size > 200 && r.sm.settled) this.requests.delete(id);
    await this.auditQuietly('request.received', { ...requestFields(p), msgId: msg.id, scopes: p.scopes, mode: p.mode, reason: p.reason, verificationCode: p.verificationCode, expiresAt: p.expiresAt });
    const v = stateWritten(() => verifySessionRequest(msg, { policy: this.o.policy, deviceId: this.o.deviceId, now: this.o.clock.now(), replay: this.o.replay }));
    if (v === STATE_UNWRITABLE) return this.decide(req, { outcome: 'declined', granted: [], decidedBy: 'audit-failure', code: 'audit-unavailable', detail: STATE_UNWRITABLE_DETAIL });
    if (!v.ok) {
      const { outcome, decidedBy, code, detail } = v.rejection;
      if (outcome === 'blocked') {
        const body = SHOWS_REQUEST_FIELDS.has(code) && decidedBy === 'policy' ? `A request for ticket ${p.ticket.id} was refused: ${detail}.` : FORGED_NOTICE;
        this.blockNotices.offer(p.technician.id, { kind: 'policy-block', title: 'Remote support request blocked', body });
      }
      return this.decide(req, { outcome, granted: [], decidedBy, code, detail });
    }
    req.sm.to('verified');
    const verified = v.value;
    if (this.session) return this.decide(req, { outcome: 'declined', granted: [], decidedBy: 'policy', code: 'policy-blocked', detail: 'another session is live on this device' });
    if (p.mode === 'unattended') {
      const decidedBy = verified.authorisation.kind === 'emergency' ? 'emergency' : 'approval';
      return this.decide(req, { outcome: 'accepted', granted: verified.allowed, decidedBy });
    }
    if (this.o.presence === 'headless') {
      return this.decide(req, { outcome: 'no-user-present', granted: [], decidedBy: 'no-user', detail: 'nobody is logged in to answer an attended request' });
    }
    const now = this.o.clock.now();
    const verdict = this.rate.check(p.technician.id, now);
    if (verdict !== 'ok') {
      const detail = verdict === 'too-many-declines' ? 'recent requests from this technician were declined' : 'too many requests from this technician';
      return this.decide(req, { outcome: 'declined', granted: [], decidedBy: 'rate-limit', code: 'rate-limited', detail });
    }
    req.sm.to('queued');
    const accepted = this.queue.offer({ id: p.requestId, run: (signal) => this.promptForRequest(req, verified, signal) });
    if (!accepted) return this.decide(req, { outcome: 'declined', granted: [], decidedBy: 'queue-full', code: 'queue-full', detail: 'too many requests are waiting' });
    this.rate.notePrompt(p.technician.id, now);
  }

  private async promptForRequest(req: PendingRequest, v: VerifiedRequest, signal: AbortSignal): Promise<void> {
    const p = req.payload;
    const deadline = Math.min(this.o.clock.now() + this.o.policy.promptTimeoutSec * 1000, Date.parse(p.expiresAt));
    if (!signal.aborted) req.sm.to('prompting');
    this.setPrompting(!signal.aborted);
    const view = sessionConsentView(v, deadline, this.queue.waitingCount);
    const result = await askUser(this.o.ui, this.o.clock, view, signal, deadline).finally(() => this.setPrompting(false));
    if (result.kind === 'declined') {
      if (result.decidedBy === 'dialog-closed' || result.decidedBy === 'timeout') this.rate.noteDecline(p.technician.id, this.o.clock.now());
      return this.track(this.decide(req, { outcome: 'declined', granted: [], decidedBy: result.decidedBy }));
    }
    const granted = sortScopes(result.granted);
    if (granted.length === 0) {
      this.rate.noteDecline(p.technician.id, this.o.clock.now());
      return this.track(this.decide(req, { outcome: 'declined', granted: [], decidedBy: 'user' }));
    }
    const outcome = granted.length === p.scopes.length ? 'accepted' : 'partial';
    return this.track(this.decide(req, { outcome, granted, decidedBy: 'user' }));
  }

  private async onCancel(msg: Message<'session.cancel'>): Promise<void> {
    if (this.queue.abort(msg.requestId, 'cancelled')) return;
    await this.send(errorMessage('unknown-session', 'no pending request has that id', msg.id));
  }

  /** Record the decision durably, then report it; start the session if anything was granted. */
  private async decide(req: PendingRequest, d: Decision): Promise<void> {
    const p = req.payload;
    const now = this.o.clock.now();
    let granted = sortScopes(d.granted.filter((s) => p.scopes.includes(s)));
    if (granted.length > 0 && this.session) {
      d = { outcome: 'declined', granted: [], decidedBy: 'policy', code: 'policy-blocked', detail: 'another session is live on this device' };
      granted = [];
    }
    const minutes = Math.min(p.estimatedMinutes, this.o.policy.maxSessionMinutes);
    const sessionId = granted.length > 0 ? (this.o.newSessionId ?? (() => `ses-${randomUUID()}`))() : undefined;
    // Reserve the session slot now so no second grant can slip in while we write.
    const live = sessionId
      ? new LiveSession({
          sessionId,
          requestId: p.requestId,
          deviceId: this.o.deviceId,
          technician: p.technician,
          ticket: p.ticket,
          mode: p.mode,
          authorisation: authorisationOf(p),
          verificationCode: p.verificationCode,
          outcome: d.outcome,
          granted,
          startedAt: now,
          endsAt: now + minutes * 60_000,
        })
      : undefined;
    if (live) this.session = live;
    const msg: Message<'session.decision'> = {
      v: 1,
      type: 'session.decision',
      id: newMessageId(),
      requestId: p.requestId,
      outcome: d.outcome,
      granted,
      declined: sortScopes(p.scopes.filter((s) => !granted.includes(s))),
      decidedBy: d.decidedBy,
      decidedAt: new Date(now).toISOString(),
      ...(d.code ? { code: d.code } : {}),
      ...(d.detail ? { detail: d.detail } : {}),
      ...(sessionId ? { sessionId, grantedMinutes: minutes } : {}),
    };
    const recorded = await this.record('consent.decision', { ...requestFields(p), outcome: msg.outcome, granted, declined: msg.declined, decidedBy: d.decidedBy, code: d.code, detail: d.detail, sessionId, states: [...req.sm.history, OUTCOME_STATE[d.outcome]] }, msg);
    if (!recorded) {
      if (live && this.session === live) this.session = undefined;
      req.sm.to('declined');
      await this.send({ ...msg, outcome: 'declined', granted: [], declined: [...p.scopes], decidedBy: 'audit-failure', code: 'audit-unavailable', detail: 'the audit log could not be written; nothing was granted', sessionId: undefined, grantedMinutes: undefined });
      return;
    }
    req.sm.to(OUTCOME_STATE[d.outcome]);
    if (live) await this.startSession(live, minutes);
    else if (d.decidedBy !== 'user' && d.decidedBy !== 'verification' && d.decidedBy !== 'policy') {
      this.o.ui.notify({ kind: 'request-declined', title: 'Remote support request declined', body: `${p.technician.name} asked for ticket ${p.ticket.id}; declined (${d.decidedBy}).` });
    }
  }

  // ---- live session ------------------------------------------------------------------

  private async startSession(s: LiveSession, minutes: number): Promise<void> {
    this.armExpiry(s);
    const started: Message<'session.started'> = {
      v: 1,
      type: 'session.started',
      id: newMessageId(),
      sessionId: s.id,
      requestId: s.init.requestId,
      scopes: s.grantedScopes() as Message<'session.started'>['scopes'],
      mode: s.init.mode,
      startedAt: new Date(s.init.startedAt).toISOString(),
      endsAt: new Date(s.endsAt).toISOString(),
    };
    const ok = await this.record('session.started', { ...sessionFields(s), scopes: started.scopes, mode: s.init.mode, minutes, endsAt: started.endsAt }, started);
    if (!ok) {
      await this.endLive(s.id, 'policy', 'the audit log could not be written');
      return;
    }
    if (this.session !== s) return;
    this.o.ui.showBanner(s.banner());
    if (s.init.mode === 'unattended') {
      const why = s.init.authorisation.kind === 'emergency' ? `emergency (${s.init.authorisation.incident})` : `approved by ${s.init.authorisation.kind === 'unattended' ? s.init.authorisation.approver : 'IT'}`;
      this.o.ui.notify({ kind: 'unattended-start', title: 'Unattended remote support started', body: `${s.init.technician.name} is connected for ticket ${s.init.ticket.id}, ${why}.` });
    }
    this.pushStatus();
  }

  private armExpiry(s: LiveSession): void {
    this.o.clock.clearTimeout(this.sessionTimer);
    this.sessionTimer = this.o.clock.setTimeout(() => void this.track(this.endLive(s.id, 'expiry', 'the granted time is over')), s.endsAt - this.o.clock.now());
  }

  /** End the session: grants go first (synchronously), then record and report. */
  private async endLive(sessionId: string, by: EndReason, reason?: string, endedByRelay = false): Promise<boolean> {
    const s = this.session;
    if (!s || s.id !== sessionId) return false;
    this.session = undefined;
    s.granted.clear();
    this.codeFailed.delete(s.id);
    for (const key of this.noticesShown) if (key.startsWith(`${s.id} `)) this.noticesShown.delete(key);
    this.o.clock.clearTimeout(this.sessionTimer);
    this.o.ui.hideBanner(s.id);
    this.pushStatus();
    const now = this.o.clock.now();
    const summary = s.summary(now, by);
    const toRelay = by !== 'relay-lost';
    const end: Message<'session.end'> = { v: 1, type: 'session.end', id: newMessageId(), sessionId: s.id, by, ...(reason ? { reason } : {}) };
    await this.record('session.ended', { ...sessionFields(s), by, reason }, toRelay && !endedByRelay && by !== 'technician' ? end : undefined, { sendOnFailure: true });
    const summaryMsg: Message<'session.summary'> = { v: 1, type: 'session.summary', id: newMessageId(), summary };
    await this.record('session.summary', { ...sessionFields(s), summary }, toRelay ? summaryMsg : undefined, { sendOnFailure: true });
    this.o.ui.showSummary(s.summaryView(summary));
    if (s.init.mode === 'unattended' || by !== 'user') this.o.ui.notify({ kind: 'session-end', title: 'Remote support session ended', body: `Session for ticket ${s.init.ticket.id} ended (${by}).` });
    return true;
  }

  private async onRevoke(sessionId: string, scope: Scope): Promise<boolean> {
    const s = this.session;
    if (!s || s.id !== sessionId || !s.granted.has(scope)) return false;
    s.granted.delete(scope);
    if (s.granted.size === 0) return this.endLive(s.id, 'user', `the user revoked ${scope}, the last granted scope`);
    this.o.ui.showBanner(s.banner());
    this.pushStatus();
    await this.record('scope.revoked', { ...sessionFields(s), scope, granted: s.grantedScopes() }, this.scopeUpdate(s, 'revoked', [scope]), { sendOnFailure: true });
    return true;
  }

  private scopeUpdate(s: LiveSession, change: Message<'session.scope-update'>['change'], scopes: Scope[], requestId?: string): Message<'session.scope-update'> {
    return { v: 1, type: 'session.scope-update', id: newMessageId(), sessionId: s.id, change, scopes: sortScopes(scopes), granted: s.grantedScopes(), endsAt: new Date(s.endsAt).toISOString(), ...(requestId ? { requestId } : {}) };
  }

  private async onScopeRequest(msg: Message<'session.scope-request'>): Promise<void> {
    const p = msg.payload;
    const live = this.session;
    await this.auditQuietly('escalation.received', { requestId: p.requestId, sessionId: p.sessionId, technicianId: p.technician.id, ticketId: live?.init.ticket.id, scopes: p.scopes, extendMinutes: p.extendMinutes, reason: p.reason, msgId: msg.id });
    const checked = stateWritten(() => verifyScopeRequest(msg, { policy: this.o.policy, deviceId: this.o.deviceId, now: this.o.clock.now(), replay: this.o.replay }, live ? { sessionId: live.id, technicianId: live.init.technician.id, granted: live.grantedScopes() } : undefined));
    const v = checked === STATE_UNWRITABLE ? { ok: false as const, rejection: { code: 'audit-unavailable' as const, detail: STATE_UNWRITABLE_DETAIL } } : checked;
    if (!v.ok) {
      const { code, detail } = v.rejection;
      if (live && live.id === p.sessionId) {
        await this.record('escalation.decision', { ...sessionFields(live), requestId: p.requestId, change: 'escalation-declined', code, detail }, this.scopeUpdate(live, 'escalation-declined', p.scopes, p.requestId));
      } else {
        const err = errorMessage(code, detail, msg.id);
        await this.record('escalation.blocked', { requestId: p.requestId, sessionId: p.sessionId, code, detail }, err);
      }
      return;
    }
    if (this.o.presence === 'headless') return this.finishEscalation(v.value, { kind: 'declined', decidedBy: 'no-user' });
    const s = this.session;
    if (!s || s.id !== p.sessionId) return;
    // A wrong code was typed in this session: someone may be guessing, so never ask again (each prompt would be 3 more tries).
    if (this.codeFailed.has(s.id)) return this.refuseEscalation(v.value, s, { decidedBy: 'policy', code: 'policy-blocked', detail: CODE_MISMATCH_DETAIL }, CODE_MISMATCH_NOTICE);
    if (this.o.escalationWhileControlled === 'decline' && INPUT_SCOPES.some((x) => s.granted.has(x))) {
      return this.refuseEscalation(v.value, s, { decidedBy: 'policy', code: 'policy-blocked', detail: CONTROLLED_DETAIL }, CONTROLLED_NOTICE);
    }
    // The same per-technician budget as new requests: prompts per window, and no more after repeated declines.
    const now = this.o.clock.now();
    const verdict = this.rate.check(p.technician.id, now);
    if (verdict !== 'ok') {
      const detail = verdict === 'too-many-declines' ? 'recent requests from this technician were declined' : 'too many requests from this technician';
      return this.refuseEscalation(v.value, s, { decidedBy: 'rate-limit', code: 'rate-limited', detail });
    }
    const offered = this.queue.offer({ id: p.requestId, run: (signal) => this.promptForEscalation(v.value, signal) });
    if (!offered) return this.finishEscalation(v.value, { kind: 'declined', decidedBy: 'queue-full' });
    this.rate.notePrompt(p.technician.id, now);
  }

  /** Decline an escalation without a prompt, and tell the user once per session when `notice` is given. */
  private async refuseEscalation(v: VerifiedEscalation, s: LiveSession, why: { decidedBy: DecidedBy; code: ErrorCode; detail: string }, notice?: string): Promise<void> {
    if (this.session !== s) return;
    const p = v.payload;
    const refused = sortScopes(p.scopes.filter((x) => !s.granted.has(x)));
    await this.record('escalation.decision', { ...sessionFields(s), requestId: p.requestId, change: 'escalation-declined', scopes: refused, ...why }, this.scopeUpdate(s, 'escalation-declined', refused, p.requestId));
    const key = `${s.id} ${notice}`;
    if (notice === undefined || this.noticesShown.has(key) || this.session !== s) return;
    this.noticesShown.add(key);
    this.o.ui.notify({ kind: 'policy-block', title: 'Request for more access refused', body: notice });
  }

  private async promptForEscalation(v: VerifiedEscalation, signal: AbortSignal): Promise<void> {
    const s = this.session;
    if (!s || s.id !== v.payload.sessionId) return;
    const deadline = Math.min(this.o.clock.now() + this.o.policy.promptTimeoutSec * 1000, Date.parse(v.payload.expiresAt), s.endsAt);
    this.setPrompting(!signal.aborted);
    const view = escalationConsentView(v.payload, v.added, v.blocked, s, deadline, this.queue.waitingCount, this.o.confirmCode);
    const result = await askUser(this.o.ui, this.o.clock, view, signal, deadline).finally(() => this.setPrompting(false));
    const technicianId = v.payload.technician.id;
    if (result.kind === 'declined' && result.codeMismatch) {
      this.codeFailed.add(s.id);
      this.rate.noteDecline(technicianId, this.o.clock.now());
      return this.track(this.refuseEscalation(v, s, { decidedBy: 'policy', code: 'policy-blocked', detail: CODE_MISMATCH_DETAIL }, CODE_MISMATCH_NOTICE));
    }
    if (result.kind === 'declined' ? result.decidedBy === 'dialog-closed' || result.decidedBy === 'timeout' : result.granted.length === 0) this.rate.noteDecline(technicianId, this.o.clock.now());
    await this.track(this.finishEscalation(v, result.kind === 'answer' ? { kind: 'answer', granted: result.granted } : result));
  }

  private async finishEscalation(v: VerifiedEscalation, result: { kind: 'answer'; granted: Scope[] } | { kind: 'declined'; decidedBy: DecidedBy }): Promise<void> {
    const s = this.session;
    const p = v.payload;
    if (!s || s.id !== p.sessionId) return;
    const answered = result.kind === 'answer' && result.granted.length > 0;
    const added = result.kind === 'answer' ? v.added.filter((x) => result.granted.includes(x)) : [];
    const extend = answered && p.extendMinutes !== undefined ? Math.min(p.extendMinutes, this.o.policy.maxSessionMinutes) : 0;
    let change: Message<'session.scope-update'>['change'];
    if (v.added.length === 0) change = extend > 0 ? 'extended' : 'escalation-declined';
    else if (added.length === v.added.length) change = 'escalation-accepted';
    else change = added.length > 0 ? 'escalation-partial' : 'escalation-declined';
    if (change === 'escalation-declined') {
      const refused = sortScopes([...p.scopes.filter((x) => !s.granted.has(x))]);
      const decidedBy = result.kind === 'declined' ? result.decidedBy : 'user';
      await this.record('escalation.decision', { ...sessionFields(s), requestId: p.requestId, change, scopes: refused, decidedBy }, this.scopeUpdate(s, change, refused, p.requestId));
      return;
    }
    // Record first; only a durable record turns into a grant.
    const before = { granted: s.grantedScopes(), endsAt: s.endsAt };
    const endsAt = s.endsAt + extend * 60_000;
    const after: Message<'session.scope-update'> = { ...this.scopeUpdate(s, change, added, p.requestId), granted: sortScopes([...before.granted, ...added]), endsAt: new Date(endsAt).toISOString() };
    const ok = await this.record('escalation.decision', { ...sessionFields(s), requestId: p.requestId, change, scopes: added, granted: after.granted, extendMinutes: extend || undefined, endsAt: after.endsAt, decidedBy: 'user' }, undefined);
    if (!ok) {
      await this.send(this.scopeUpdate(s, 'escalation-declined', p.scopes, p.requestId));
      return;
    }
    if (this.session !== s) return;
    s.add(added);
    s.endsAt = endsAt;
    this.armExpiry(s);
    this.o.ui.showBanner(s.banner());
    this.pushStatus();
    await this.send(after);
  }

  private async onNarration(msg: Message<'session.narration'>): Promise<void> {
    const s = this.session;
    if (!s || s.id !== msg.sessionId) {
      await this.send(errorMessage('unknown-session', 'no live session has that id', msg.id));
      return;
    }
    const at = new Date(this.o.clock.now()).toISOString();
    s.narration.push({ at, text: msg.text });
    await this.auditQuietly('session.narration', { ...sessionFields(s), text: msg.text });
    if (this.session === s) this.o.ui.showBanner(s.banner());
  }

  private async onFileTransfer(msg: Message<'session.file-transfer'>): Promise<void> {
    const s = this.session;
    const verdict =
      !s || s.id !== msg.sessionId
        ? { allowed: false as const, code: 'unknown-session' as const, detail: 'no live session has that id' }
        : !s.granted.has('file-transfer')
          ? { allowed: false as const, code: 'forbidden' as const, detail: 'file-transfer is not granted in this session' }
          : checkFileTransfer(msg, this.o.policy.fileTransfer, s.init.ticket.id);
    const { name, size, sha256, direction, transferId } = msg;
    const result: Message<'session.file-transfer-result'> = { v: 1, type: 'session.file-transfer-result', id: newMessageId(), sessionId: msg.sessionId, transferId, allowed: verdict.allowed, ...(verdict.allowed ? {} : { code: verdict.code, detail: verdict.detail }) };
    const fields = { sessionId: msg.sessionId, ticketId: s?.init.ticket.id ?? msg.ticketId, technicianId: s?.init.technician.id, transferId, name, size, sha256, direction, announcedTicketId: msg.ticketId, allowed: verdict.allowed, code: verdict.allowed ? undefined : verdict.code };
    const ok = await this.record('file.transfer', fields, result);
    if (!ok) {
      await this.send({ ...result, allowed: false, code: 'audit-unavailable', detail: 'the audit log could not be written' });
      return;
    }
    if (s && this.session === s) s.files.push({ transferId, name, size, sha256, direction, allowed: verdict.allowed });
  }

  // ---- plumbing --------------------------------------------------------------------------

  /**
   * Append to the audit log, then (only once it is durable) send `msg`.
   * Returns false if the record could not be written; messages that only take
   * access away go out anyway when `sendOnFailure` says so.
   */
  private async record(type: string, fields: AuditFields, msg?: Message, opts: { sendOnFailure?: boolean } = {}): Promise<boolean> {
    let written: AuditRecord;
    try {
      written = await this.o.audit.append(type, dropUndefined({ ...fields, ...(msg ? { msgId: msg.id, msgType: msg.type } : {}) }));
    } catch {
      if (msg && opts.sendOnFailure) await this.send(msg);
      return false;
    }
    if (msg) await this.send(withAnchor(msg, written));
    return true;
  }

  private async auditQuietly(type: string, fields: AuditFields): Promise<void> {
    await this.record(type, fields);
  }

  private async send(msg: Message): Promise<void> {
    this.o.send(msg);
  }

  private setPrompting(on: boolean): void {
    this.promptOpen = on;
    this.pushStatus();
  }

  private pushStatus(): void {
    this.o.ui.setStatus(this.status());
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => {});
    return p;
  }
}

const STATE_UNWRITABLE = Symbol('state-unwritable');
const STATE_UNWRITABLE_DETAIL = 'the replay cache could not be written, so a replay could not be ruled out; nothing was granted';

/**
 * Verification remembers the nonce durably (replay cache). If that write
 * fails (full disk, unwritable data dir) the request is declined, never left
 * without a decision.
 */
function stateWritten<T>(verify: () => T): T | typeof STATE_UNWRITABLE {
  try {
    return verify();
  } catch {
    return STATE_UNWRITABLE;
  }
}

function requestFields(p: Message<'session.request'>['payload']): AuditFields {
  return { requestId: p.requestId, ticketId: p.ticket.id, technicianId: p.technician.id, technicianName: p.technician.name, technicianGroup: p.technician.group };
}

function sessionFields(s: LiveSession): AuditFields {
  return { sessionId: s.id, requestId: s.init.requestId, ticketId: s.init.ticket.id, technicianId: s.init.technician.id };
}

function authorisationOf(p: Message<'session.request'>['payload']): LiveSession['init']['authorisation'] {
  const a = p.approval;
  if (p.mode === 'attended' || !a) return { kind: 'attended' };
  return a.kind === 'emergency' ? { kind: 'emergency', justification: a.justification, incident: a.incident } : { kind: 'unattended', approver: a.token.payload.approver, reference: a.token.payload.reference };
}

/** Messages that carry the seq and hash of their audit record, for the relay to keep as an anchor. */
const ANCHORED = new Set<Message['type']>(['session.decision', 'session.started', 'session.scope-update', 'session.file-transfer-result', 'session.end', 'session.summary']);

function withAnchor(msg: Message, record: AuditRecord): Message {
  return ANCHORED.has(msg.type) ? ({ ...msg, audit: { seq: record.seq, hash: record.hash } } as Message) : msg;
}

function dropUndefined(fields: AuditFields): AuditFields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}
