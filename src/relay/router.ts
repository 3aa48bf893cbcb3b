// Routing between technicians and agents. Every technician frame is checked
// against ownership (a technician only ever sees and affects its own requests
// and sessions); every agent frame against the device it authenticated as.
// Everything that happens is written to the central audit before it is forwarded.
import type { ErrorCode } from '../protocol/error-codes.js';
import { errorMessage, newMessageId } from '../protocol/frame.js';
import type { END_REASONS, Message, ScopeRequestPayload } from '../protocol/messages.js';
import type { AuditAnchor } from '../protocol/primitives.js';
import { signScopeRequest, signSessionRequest } from '../protocol/signed-messages.js';
import type { Ed25519KeyPair } from '../protocol/signing.js';
import type { Scope } from '../protocol/scopes.js';
import { CentralAudit } from './audit/central-audit.js';
import type { Peer } from './peer.js';
import { InProcessPeerDirectory, type PeerDirectory } from './peer-directory.js';
import { buildSessionRequest, checkScopes, cryptoRandomness, technicianIdentity, type RequestRandomness } from './session-request-builder.js';
import type { RelayStorage, TechnicianRecord } from './storage/storage.js';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface RouterOptions {
  storage: RelayStorage;
  relayKey: Ed25519KeyPair;
  now?: () => number;
  timers?: Timers;
  random?: RequestRandomness;
  /** How long a request is valid for the agent. */
  requestLifetimeMs?: number;
  /** Extra wait after expiry before the relay itself reports `expired`. */
  expiryGraceMs?: number;
  /** Pending requests one technician connection may have at once. */
  maxPendingPerTechnician?: number;
  /** Pinned IT approvals public key: when set, the relay also checks approval signatures. */
  approvalsPublicKey?: string;
  /** Where agents are connected (default: this process only). A bus-backed one spans relay instances. */
  directory?: PeerDirectory;
}

interface Owner {
  peer: Peer;
  tech: TechnicianRecord;
  deviceId: string;
  ticketId: string;
}

interface PendingRequest extends Owner {
  requestId: string;
  /** id of the technician's tech.request frame, for `re` on errors. */
  techMsgId: string;
  scopes: Scope[];
  estimatedMinutes: number;
  timer: unknown;
}

/** An accepted request waiting for session.started: how long the agent granted, from when. */
interface AwaitingStart extends Owner {
  sessionId?: string;
  grantedMs: number;
  decidedAt: number;
}

interface LiveSession extends Owner {
  sessionId: string;
  requestId: string;
  ended: boolean;
  /** Who ended it, once ended (an expired session refuses frames with `expired`). */
  endedBy?: EndReason;
  /** The granted end on the relay's clock (ms): decision + grant until started, then started + grant, moved only by extensions. */
  endsAt: number;
  /** True once session.started was accepted: a second one is refused (it could restart the clock). */
  started: boolean;
  /** The granted duration from the decision (grantedMinutes, else the request's estimate). */
  grantedMs: number;
  /** Extensions the technician asked for and the agent has not answered: scope-request id -> minutes. */
  extensions: Map<string, number>;
  /** Relay clock minus the agent's, measured at session.started: the agent's times are on its own clock. */
  clockOffsetMs: number;
  expiryTimer?: unknown;
}

/** Node timers overflow past ~24.8 days; longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** When a request carries no estimate and the decision no grant (never on the wire today: both are required/sent). */
const FALLBACK_GRANT_MS = 24 * 60 * 60_000;

type EndReason = (typeof END_REASONS)[number];

const defaultTimers: Timers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };

export class Router {
  private readonly directory: PeerDirectory;
  private readonly pending = new Map<string, PendingRequest>();
  /** Decided (accepted/partial) requests waiting for session.started. */
  private readonly awaitingStart = new Map<string, AwaitingStart>();
  private readonly sessions = new Map<string, LiveSession>();
  /** session.request / scope-request frame id -> owner, to route an agent's `error` reply. */
  private readonly forwarded = new Map<string, { owner: Owner; techMsgId: string }>();
  private readonly audit: CentralAudit;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly random: RequestRandomness;
  private readonly lifetimeMs: number;
  private readonly graceMs: number;
  private readonly maxPending: number;

  constructor(private readonly opts: RouterOptions) {
    this.now = opts.now ?? Date.now;
    this.timers = opts.timers ?? defaultTimers;
    this.random = opts.random ?? cryptoRandomness;
    this.lifetimeMs = opts.requestLifetimeMs ?? 5 * 60_000;
    this.graceMs = opts.expiryGraceMs ?? 10_000;
    this.maxPending = opts.maxPendingPerTechnician ?? 5;
    this.audit = new CentralAudit(opts.storage, this.now);
    this.directory = opts.directory ?? new InProcessPeerDirectory();
  }

  get onlineAgents(): number {
    return this.directory.agentCount;
  }

  isOnline(deviceId: string): boolean {
    return this.directory.agent(deviceId) !== undefined;
  }

  // ---- connections ---------------------------------------------------------------

  agentConnected(deviceId: string, peer: Peer): void {
    const previous = this.directory.attachAgent(deviceId, peer);
    if (previous && previous !== peer) previous.close(4000, 'replaced by a newer connection');
  }

  async agentDisconnected(deviceId: string, peer: Peer): Promise<void> {
    if (!this.directory.detachAgent(deviceId, peer)) return;
    for (const req of [...this.pending.values()].filter((r) => r.deviceId === deviceId)) {
      this.dropPending(req);
      req.peer.send(errorMessage('agent-offline', 'the agent disconnected before deciding', req.techMsgId));
      await this.safeAudit('rejected', this.ctx(req, { requestId: req.requestId }), { action: 'decision', code: 'agent-offline', detail: 'agent disconnected before deciding' });
    }
    for (const [requestId, owner] of this.awaitingStart) {
      if (owner.deviceId !== deviceId) continue;
      this.awaitingStart.delete(requestId);
      if (![...this.sessions.values()].some((s) => s.requestId === requestId)) owner.peer.send(errorMessage('agent-offline', `the agent disconnected before session ${requestId} started`));
    }
    for (const s of [...this.sessions.values()].filter((x) => x.deviceId === deviceId)) {
      this.forgetSession(s);
      if (s.ended) continue;
      s.peer.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId: s.sessionId, by: 'relay-lost', reason: 'the agent disconnected' });
      await this.safeAudit('session-end', this.ctx(s, { requestId: s.requestId, sessionId: s.sessionId }), { by: 'relay-lost', reason: 'the agent disconnected' });
    }
  }

  async technicianDisconnected(peer: Peer): Promise<void> {
    for (const req of [...this.pending.values()].filter((r) => r.peer === peer)) {
      this.dropPending(req);
      this.directory.agent(req.deviceId)?.send({ v: 1, type: 'session.cancel', id: newMessageId(), requestId: req.requestId });
      await this.safeAudit('cancel', this.ctx(req, { requestId: req.requestId }), {});
    }
    for (const s of [...this.sessions.values()].filter((x) => x.peer === peer)) {
      this.forgetSession(s);
      if (s.ended) continue;
      this.directory.agent(s.deviceId)?.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId: s.sessionId, by: 'technician', reason: 'the technician disconnected' });
      await this.safeAudit('session-end', this.ctx(s, { requestId: s.requestId, sessionId: s.sessionId }), { by: 'technician', reason: 'the technician disconnected' });
    }
    for (const [requestId, owner] of this.awaitingStart) if (owner.peer === peer) this.awaitingStart.delete(requestId);
    for (const [id, f] of this.forwarded) if (f.owner.peer === peer) this.forwarded.delete(id);
  }

  /** Relay shutdown: both sides of every live session hear that it ended. */
  shutdown(): void {
    for (const s of this.sessions.values()) {
      if (s.ended) continue;
      const end = (): Message<'session.end'> => ({ v: 1, type: 'session.end', id: newMessageId(), sessionId: s.sessionId, by: 'relay-lost', reason: 'the relay is shutting down' });
      s.peer.send(end());
      this.directory.agent(s.deviceId)?.send(end());
    }
    for (const req of this.pending.values()) {
      this.timers.clearTimeout(req.timer);
      this.directory.agent(req.deviceId)?.send({ v: 1, type: 'session.cancel', id: newMessageId(), requestId: req.requestId });
      req.peer.send(errorMessage('agent-offline', 'the relay is shutting down', req.techMsgId));
    }
    this.pending.clear();
    for (const s of this.sessions.values()) this.timers.clearTimeout(s.expiryTimer);
    this.sessions.clear();
  }

  // ---- technician frames ------------------------------------------------------------

  async fromTechnician(peer: Peer, tech: TechnicianRecord, msg: Message): Promise<void> {
    switch (msg.type) {
      case 'tech.request':
        return this.techRequest(peer, tech, msg);
      case 'session.cancel':
        return this.techCancel(peer, msg);
      case 'session.narration':
        return this.ownedSession(peer, msg.sessionId, msg.id, async (s) => {
          await this.audit.record('narration', this.ctx(s, { sessionId: s.sessionId, requestId: s.requestId }), { text: msg.text });
          this.toAgent(s, msg);
        });
      case 'tech.scope-request':
        return this.ownedSession(peer, msg.sessionId, msg.id, (s) => this.techScopeRequest(s, tech, msg));
      case 'session.file-transfer':
        return this.ownedSession(peer, msg.sessionId, msg.id, async (s) => {
          const { transferId, name, size, sha256, direction } = msg;
          await this.audit.record('file-transfer', this.ctx(s, { sessionId: s.sessionId, requestId: s.requestId }), { transferId, name, size, sha256, direction });
          this.toAgent(s, msg);
        });
      case 'session.end':
        return this.ownedSession(peer, msg.sessionId, msg.id, async (s) => {
          await this.audit.record('session-end', this.ctx(s, { sessionId: s.sessionId, requestId: s.requestId }), { by: 'technician', ...(msg.reason ? { reason: msg.reason } : {}) });
          this.toAgent(s, { ...msg, by: 'technician' });
        }, true);
      case 'tech.close':
        return this.techClose(peer, tech, msg);
      case 'error':
        return;
      default:
        peer.send(errorMessage('unexpected-type', `${msg.type} is not accepted from a technician`, msg.id));
    }
  }

  private async techRequest(peer: Peer, tech: TechnicianRecord, msg: Message<'tech.request'>): Promise<void> {
    const base = { ticketId: msg.ticket.id, deviceId: msg.deviceId, technicianId: tech.id };
    const refuse = async (code: ErrorCode, detail: string) => {
      await this.audit.record('rejected', base, { action: 'tech.request', code, detail });
      peer.send(errorMessage(code, detail, msg.id));
    };
    if ([...this.pending.values()].filter((r) => r.peer === peer).length >= this.maxPending) {
      return refuse('rate-limited', `at most ${this.maxPending} pending requests per connection`);
    }
    const built = buildSessionRequest(msg, tech, this.now(), this.lifetimeMs, this.random, this.opts.approvalsPublicKey);
    if (!built.ok) return refuse(built.code, built.detail);
    const agent = this.directory.agent(msg.deviceId);
    if (!agent) return refuse('agent-offline', `device ${msg.deviceId} is not connected`);
    const { payload, mode } = built;
    const approval =
      payload.approval?.kind === 'manager'
        ? { kind: 'manager' as const, approver: payload.approval.token.payload.approver, reference: payload.approval.token.payload.reference, expiresAt: payload.approval.token.payload.expiresAt, token: payload.approval.token }
        : payload.approval;
    await this.audit.record('request', { ...base, requestId: payload.requestId }, {
      technician: payload.technician,
      ticket: payload.ticket,
      mode,
      scopes: payload.scopes,
      reason: payload.reason,
      estimatedMinutes: payload.estimatedMinutes,
      ...(approval ? { approval } : {}),
      issuedAt: payload.issuedAt,
      expiresAt: payload.expiresAt,
    });
    const req: PendingRequest = {
      peer,
      tech,
      deviceId: msg.deviceId,
      ticketId: msg.ticket.id,
      requestId: payload.requestId,
      techMsgId: msg.id,
      scopes: payload.scopes,
      estimatedMinutes: payload.estimatedMinutes,
      timer: this.timers.setTimeout(() => void this.expire(payload.requestId), this.lifetimeMs + this.graceMs),
    };
    this.pending.set(req.requestId, req);
    peer.send({ v: 1, type: 'session.pending', id: newMessageId(), requestId: payload.requestId, deviceId: payload.deviceId, verificationCode: payload.verificationCode, expiresAt: payload.expiresAt });
    const signed = signSessionRequest(payload, this.opts.relayKey);
    this.rememberForwarded(signed.id, req, msg.id);
    agent.send(signed);
  }

  private async expire(requestId: string): Promise<void> {
    const req = this.pending.get(requestId);
    if (!req) return;
    this.dropPending(req);
    const decidedAt = new Date(this.now()).toISOString();
    const detail = 'no answer from the agent before the request expired';
    // The agent must stop prompting for a request the technician was told is over.
    this.directory.agent(req.deviceId)?.send({ v: 1, type: 'session.cancel', id: newMessageId(), requestId });
    await this.safeAudit('decision', this.ctx(req, { requestId }), { outcome: 'expired', granted: [], declined: req.scopes, decidedBy: 'timeout', decidedAt, detail });
    req.peer.send({ v: 1, type: 'session.decision', id: newMessageId(), requestId, outcome: 'expired', granted: [], declined: req.scopes, decidedBy: 'timeout', decidedAt, detail });
  }

  private async techCancel(peer: Peer, msg: Message<'session.cancel'>): Promise<void> {
    const req = this.pending.get(msg.requestId);
    if (!req || req.peer !== peer) return peer.send(errorMessage('unknown-session', 'no pending request of yours has that id', msg.id));
    this.dropPending(req);
    await this.audit.record('cancel', this.ctx(req, { requestId: req.requestId }), {});
    this.directory.agent(req.deviceId)?.send(msg);
  }

  private async techScopeRequest(s: LiveSession, tech: TechnicianRecord, msg: Message<'tech.scope-request'>): Promise<void> {
    const allowed = checkScopes(tech, msg.scopes);
    if (!allowed.ok) {
      await this.audit.record('rejected', this.ctx(s, { sessionId: s.sessionId }), { action: 'tech.scope-request', code: allowed.code, detail: allowed.detail });
      return s.peer.send(errorMessage(allowed.code, allowed.detail, msg.id));
    }
    const nowMs = this.now();
    const payload: ScopeRequestPayload = {
      requestId: this.random.id(),
      sessionId: s.sessionId,
      deviceId: s.deviceId,
      technician: technicianIdentity(tech),
      scopes: msg.scopes,
      reason: msg.reason,
      nonce: this.random.nonce(),
      issuedAt: new Date(nowMs).toISOString(),
      expiresAt: new Date(nowMs + this.lifetimeMs).toISOString(),
    };
    if (msg.extendMinutes !== undefined) {
      payload.extendMinutes = msg.extendMinutes;
      // The only way the session's end may move later: the agent's answer to this request.
      s.extensions.set(payload.requestId, msg.extendMinutes);
    }
    await this.audit.record('scope-request', this.ctx(s, { sessionId: s.sessionId, requestId: payload.requestId }), {
      scopes: payload.scopes,
      ...(payload.extendMinutes !== undefined ? { extendMinutes: payload.extendMinutes } : {}),
      reason: payload.reason,
      expiresAt: payload.expiresAt,
    });
    const signed = signScopeRequest(payload, this.opts.relayKey);
    this.rememberForwarded(signed.id, s, msg.id);
    this.toAgent(s, signed);
  }

  private async techClose(peer: Peer, tech: TechnicianRecord, msg: Message<'tech.close'>): Promise<void> {
    // Only a technician who requested a session on this ticket (and, if named, owns that session) may close it.
    const mine = await this.opts.storage.queryAudit({ ticketId: msg.ticketId, technicianId: tech.id, kinds: ['request', 'session-started', 'decision'] });
    const owns = mine.some((r) => r.kind === 'request') && (msg.sessionId === undefined || mine.some((r) => r.sessionId === msg.sessionId));
    if (!owns) return peer.send(errorMessage('unknown-session', 'you have no session on that ticket', msg.id));
    const deviceId = mine.find((r) => msg.sessionId === undefined || r.sessionId === msg.sessionId)?.deviceId ?? null;
    await this.audit.record('close', { ticketId: msg.ticketId, technicianId: tech.id, sessionId: msg.sessionId ?? null, deviceId }, { outcome: msg.outcome, ...(msg.note ? { note: msg.note } : {}) });
    peer.send({ v: 1, type: 'tech.closed', id: newMessageId(), ticketId: msg.ticketId });
  }

  /** A technician frame about one of its sessions; refused once the session ended or its granted time is over. */
  private async ownedSession(peer: Peer, sessionId: string, msgId: string, then: (s: LiveSession) => Promise<void>, allowPastEnd = false): Promise<void> {
    const s = this.sessions.get(sessionId);
    if (!s || s.peer !== peer) return peer.send(errorMessage('unknown-session', 'no live session of yours has that id', msgId));
    if (s.ended && s.endedBy === 'expiry') return peer.send(errorMessage('expired', `session ${sessionId} ended when its granted time ran out`, msgId));
    if (s.ended) return peer.send(errorMessage('unknown-session', `session ${sessionId} has ended`, msgId));
    // The relay's clock is the judge: past endsAt nothing more reaches the agent, even before the expiry timer fires.
    if (!allowPastEnd && this.now() >= s.endsAt) return peer.send(errorMessage('expired', `session ${sessionId}'s granted time ended at ${new Date(s.endsAt).toISOString()}`, msgId));
    await then(s);
  }

  // ---- agent frames --------------------------------------------------------------------

  async fromAgent(peer: Peer, deviceId: string, msg: Message): Promise<void> {
    switch (msg.type) {
      case 'session.decision':
        return this.agentDecision(peer, deviceId, msg);
      case 'session.started':
        return this.agentStarted(peer, deviceId, msg);
      case 'session.scope-update':
        return this.agentSession(peer, deviceId, msg.sessionId, msg.id, (s) => this.agentScopeUpdate(s, msg));
      case 'session.file-transfer-result':
        return this.agentSession(peer, deviceId, msg.sessionId, msg.id, async (s) => {
          const { transferId, allowed, code, detail } = msg;
          await this.audit.record('file-transfer-result', this.ctx(s, { sessionId: s.sessionId, requestId: s.requestId }), { transferId, allowed, ...(code ? { code } : {}), ...(detail ? { detail } : {}), ...anchorOf(msg) });
          s.peer.send(msg);
        });
      case 'session.end':
        return this.agentSession(peer, deviceId, msg.sessionId, msg.id, async (s) => {
          // The relay may have ended it first (expiry); the agent's own end then adds nothing.
          if (s.ended) return;
          this.markEnded(s, msg.by);
          await this.audit.record('session-end', this.ctx(s, { sessionId: s.sessionId, requestId: s.requestId }), { by: msg.by, ...(msg.reason ? { reason: msg.reason } : {}), ...anchorOf(msg) });
          s.peer.send(msg);
        }, true);
      case 'session.summary':
        return this.agentSession(peer, deviceId, msg.summary.sessionId, msg.id, async (s) => {
          this.forgetSession(s);
          await this.audit.record('session-summary', this.ctx(s, { sessionId: s.sessionId, requestId: s.requestId }), { summary: msg.summary, ...anchorOf(msg) });
          s.peer.send(msg);
        }, true);
      case 'error':
        return this.agentError(msg);
      default:
        peer.send(errorMessage('unexpected-type', `${msg.type} is not accepted from an agent`, msg.id));
    }
  }

  private async agentDecision(peer: Peer, deviceId: string, msg: Message<'session.decision'>): Promise<void> {
    const req = this.pending.get(msg.requestId);
    if (!req || req.deviceId !== deviceId) return peer.send(errorMessage('unknown-session', 'no pending request for this device has that id', msg.id));
    this.dropPending(req);
    const { outcome, granted, declined, decidedBy, decidedAt, code, detail, grantedMinutes, sessionId } = msg;
    await this.audit.record('decision', this.ctx(req, { requestId: req.requestId, sessionId: sessionId ?? null }), {
      outcome,
      granted,
      declined,
      decidedBy,
      decidedAt,
      ...(code ? { code } : {}),
      ...(detail ? { detail } : {}),
      ...(grantedMinutes !== undefined ? { grantedMinutes } : {}),
      ...anchorOf(msg),
    });
    if ((outcome === 'accepted' || outcome === 'partial') && granted.length > 0) {
      const grantedMs = grantedMinutes !== undefined ? grantedMinutes * 60_000 : req.estimatedMinutes > 0 ? req.estimatedMinutes * 60_000 : FALLBACK_GRANT_MS;
      const decidedAt = this.now();
      this.awaitingStart.set(req.requestId, { ...this.ownerOf(req), ...(sessionId !== undefined ? { sessionId } : {}), grantedMs, decidedAt });
      if (sessionId !== undefined) {
        const s: LiveSession = { ...this.ownerOf(req), sessionId, requestId: req.requestId, ended: false, started: false, grantedMs, extensions: new Map(), endsAt: decidedAt + grantedMs, clockOffsetMs: 0 };
        this.sessions.set(sessionId, s);
        // Armed now, so a session whose agent never sends session.started still ends.
        this.armExpiry(s, s.endsAt);
      }
    }
    req.peer.send(msg);
  }

  private async agentStarted(peer: Peer, deviceId: string, msg: Message<'session.started'>): Promise<void> {
    const known = this.sessions.get(msg.sessionId);
    const awaiting = this.awaitingStart.get(msg.requestId);
    const owner = known ?? awaiting;
    if (!owner || owner.deviceId !== deviceId) return peer.send(errorMessage('unknown-session', 'no accepted request for this device has that id', msg.id));
    const refuse = async (code: ErrorCode, detail: string) => {
      await this.audit.record('rejected', this.ctx(owner, { sessionId: msg.sessionId, requestId: msg.requestId }), { action: 'session.started', code, detail });
      peer.send(errorMessage(code, detail, msg.id));
    };
    // A session starts once: a second session.started (after the start, or after the end) would restart its clock.
    if (known && (known.started || known.ended)) return refuse('unexpected-type', `session ${msg.sessionId} already ${known.ended ? 'ended' : 'started'}`);
    if (!awaiting || (known && known.requestId !== msg.requestId) || (awaiting.sessionId !== undefined && awaiting.sessionId !== msg.sessionId)) {
      return refuse('unknown-session', 'that session does not belong to that accepted request');
    }
    if (this.now() >= awaiting.decidedAt + awaiting.grantedMs) return refuse('expired', 'the granted time ran out before the session started');
    this.awaitingStart.delete(msg.requestId);
    if (known) this.timers.clearTimeout(known.expiryTimer);
    const startedAt = this.now();
    const clockOffsetMs = startedAt - Date.parse(msg.startedAt);
    const s: LiveSession = { ...this.ownerOf(owner), sessionId: msg.sessionId, requestId: msg.requestId, ended: false, started: true, grantedMs: awaiting.grantedMs, extensions: new Map(), endsAt: Number.NaN, clockOffsetMs };
    this.sessions.set(s.sessionId, s);
    // The agent's window counts, but never beyond what it granted at the decision, measured from now.
    const claimed = Date.parse(msg.endsAt) + clockOffsetMs;
    this.armExpiry(s, Math.min(Number.isNaN(claimed) ? Number.POSITIVE_INFINITY : claimed, startedAt + s.grantedMs));
    await this.audit.record('session-started', this.ctx(s, { sessionId: s.sessionId, requestId: s.requestId }), { scopes: msg.scopes, mode: msg.mode, startedAt: msg.startedAt, endsAt: msg.endsAt, ...anchorOf(msg) });
    s.peer.send(msg);
  }

  /** The scope change is the agent's to make; its endsAt moves later only by an extension the technician asked for. */
  private async agentScopeUpdate(s: LiveSession, msg: Message<'session.scope-update'>): Promise<void> {
    const extendMinutes = msg.requestId !== undefined ? s.extensions.get(msg.requestId) : undefined;
    if (msg.requestId !== undefined) s.extensions.delete(msg.requestId);
    const allowed = s.endsAt + (extendMinutes ?? 0) * 60_000;
    const claimed = Date.parse(msg.endsAt) + s.clockOffsetMs;
    await this.audit.record('scope-update', this.ctx(s, { sessionId: s.sessionId, requestId: msg.requestId ?? s.requestId }), { change: msg.change, scopes: msg.scopes, granted: msg.granted, endsAt: msg.endsAt, ...anchorOf(msg) });
    if (claimed > allowed) {
      const detail = `endsAt ${msg.endsAt} is later than the granted time allows; the session still ends at ${new Date(allowed).toISOString()}`;
      await this.audit.record('rejected', this.ctx(s, { sessionId: s.sessionId, requestId: msg.requestId ?? s.requestId }), { action: 'session.scope-update', code: 'forbidden', detail });
    }
    if (!s.ended && !Number.isNaN(claimed)) this.armExpiry(s, Math.min(claimed, allowed));
    s.peer.send(msg);
  }

  private async agentSession(peer: Peer, deviceId: string, sessionId: string, msgId: string, then: (s: LiveSession) => Promise<void>, allowEnded = false): Promise<void> {
    const s = this.sessions.get(sessionId);
    if (!s || s.deviceId !== deviceId || (s.ended && !allowEnded)) return peer.send(errorMessage('unknown-session', 'no live session on this device has that id', msgId));
    await then(s);
  }

  private async agentError(msg: Message<'error'>): Promise<void> {
    if (msg.re === undefined) return;
    const f = this.forwarded.get(msg.re);
    if (!f) return;
    this.forwarded.delete(msg.re);
    for (const req of this.pending.values()) if (req.peer === f.owner.peer && req.techMsgId === f.techMsgId) this.dropPending(req);
    await this.safeAudit('rejected', { ticketId: f.owner.ticketId, deviceId: f.owner.deviceId, technicianId: f.owner.tech.id }, { action: 'agent-error', code: msg.code, ...(msg.detail ? { detail: msg.detail } : {}) });
    f.owner.peer.send(errorMessage(msg.code, msg.detail ?? 'the agent refused the request', f.techMsgId));
  }

  // ---- granted duration -------------------------------------------------------------

  /** (Re)arm the relay's own end of a session: endsAt plus the grace the agent gets to end it itself. */
  private armExpiry(s: LiveSession, endsAt: number): void {
    this.timers.clearTimeout(s.expiryTimer);
    s.endsAt = endsAt;
    const wait = Math.max(0, endsAt + this.graceMs - this.now());
    s.expiryTimer = this.timers.setTimeout(() => void this.expireSession(s), Math.min(wait, MAX_TIMER_MS));
  }

  /** The agent did not end a session whose granted time is over: the relay ends it on both sides. */
  private async expireSession(s: LiveSession): Promise<void> {
    if (s.ended || this.sessions.get(s.sessionId) !== s) return;
    if (this.now() < s.endsAt + this.graceMs) return this.armExpiry(s, s.endsAt);
    this.markEnded(s, 'expiry');
    const reason = `the granted time ended at ${new Date(s.endsAt).toISOString()}; the relay ended the session`;
    await this.safeAudit('session-end', this.ctx(s, { sessionId: s.sessionId, requestId: s.requestId }), { by: 'expiry', reason });
    const end = (): Message<'session.end'> => ({ v: 1, type: 'session.end', id: newMessageId(), sessionId: s.sessionId, by: 'expiry', reason });
    this.directory.agent(s.deviceId)?.send(end());
    s.peer.send(end());
  }

  private markEnded(s: LiveSession, by: EndReason): void {
    s.ended = true;
    s.endedBy = by;
    this.timers.clearTimeout(s.expiryTimer);
  }

  private forgetSession(s: LiveSession): void {
    this.timers.clearTimeout(s.expiryTimer);
    this.sessions.delete(s.sessionId);
  }

  // ---- helpers -------------------------------------------------------------------------

  private toAgent(s: Owner, msg: Message): void {
    const agent = this.directory.agent(s.deviceId);
    if (agent) agent.send(msg);
    else s.peer.send(errorMessage('agent-offline', `device ${s.deviceId} is not connected`, msg.id));
  }

  private ownerOf(o: Owner): Owner {
    return { peer: o.peer, tech: o.tech, deviceId: o.deviceId, ticketId: o.ticketId };
  }

  private ctx(o: Owner, extra: { requestId?: string | null; sessionId?: string | null }) {
    return { ticketId: o.ticketId, deviceId: o.deviceId, technicianId: o.tech.id, ...extra };
  }

  private dropPending(req: PendingRequest): void {
    this.timers.clearTimeout(req.timer);
    this.pending.delete(req.requestId);
  }

  private rememberForwarded(frameId: string, owner: Owner, techMsgId: string): void {
    // Bounded: keep only the most recent forwards (an error reply comes at once or not at all).
    if (this.forwarded.size >= 10_000) {
      const oldest = this.forwarded.keys().next();
      if (!oldest.done) this.forwarded.delete(oldest.value);
    }
    this.forwarded.set(frameId, { owner: this.ownerOf(owner), techMsgId });
  }

  /** Audit on a path that must not throw (disconnect handling, timers). */
  private async safeAudit<K extends Parameters<CentralAudit['record']>[0]>(kind: K, ctx: Parameters<CentralAudit['record']>[1], data: Parameters<CentralAudit['record']>[2] & object): Promise<void> {
    try {
      await this.audit.record(kind, ctx, data as never);
    } catch {
      // The storage is gone (shutdown); nothing else to do on this path.
    }
  }
}

/** The agent's audit anchor, kept in the central record (the technician gets the message as the agent sent it). */
function anchorOf(msg: { audit?: AuditAnchor }): { agentAudit?: AuditAnchor } {
  return msg.audit ? { agentAudit: { seq: msg.audit.seq, hash: msg.audit.hash } } : {};
}
