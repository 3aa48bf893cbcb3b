// Everything the router remembers between frames, and its cleanup: requests
// waiting for a decision, accepted requests waiting for session.started,
// sessions (live, and ended ones kept for the agent's late end and summary),
// and forwarded request frames (to route an agent's `error` reply).
// Each map has a stated bound (ROUTING_LIMITS) so network input cannot grow it
// without end: pending by the per-technician and per-device caps and their expiry timers,
// sessions by their expiry timers, the rest by a first-in-first-out cap.
import type { Peer } from '../peer.js';
import { DEFAULT_PENDING_LIMITS, ROUTING_LIMITS, type RoutingBounds } from '../relay-constants.js';
import { PendingCaps } from './pending-caps.js';
import type { PendingHold } from './shared-pending.js';
import { ownerOf, type AwaitingStart, type EndReason, type Owner } from './routed.js';
import type { RoutedRequest, RoutedSession } from './routed.js';
import type { SessionClock } from './session-clock.js';

export interface ForwardedFrame {
  owner: Owner;
  /** The technician frame it came from, for `re` on the error reply. */
  techMsgId: string;
}

export interface SessionTableSizes {
  pending: number;
  awaitingStart: number;
  sessions: number;
  endedSessions: number;
  forwarded: number;
}

export class SessionTable {
  private readonly pending = new Map<string, RoutedRequest>();
  /** Decided (accepted/partial) requests waiting for session.started, oldest first. */
  private readonly awaiting = new Map<string, AwaitingStart>();
  private readonly sessions = new Map<string, RoutedSession>();
  /** Ended sessions still in `sessions`, in the order they ended. */
  private readonly ended = new Set<RoutedSession>();
  private readonly forwarded = new Map<string, ForwardedFrame>();
  /** Called when a session ends or is forgotten (its screen channel closes). */
  onEnded: (s: RoutedSession) => void = () => undefined;

  constructor(
    private readonly clock: SessionClock,
    private readonly bounds: RoutingBounds = ROUTING_LIMITS,
    /** Pending requests per technician and per device; every pending request holds a slot. */
    readonly caps: PendingCaps = new PendingCaps(DEFAULT_PENDING_LIMITS),
  ) {}

  sizes(): SessionTableSizes {
    return {
      pending: this.pending.size,
      awaitingStart: this.awaiting.size,
      sessions: this.sessions.size,
      endedSessions: this.ended.size,
      forwarded: this.forwarded.size,
    };
  }

  // ---- pending requests ------------------------------------------------------------

  addPending(req: RoutedRequest): void {
    if (!this.pending.has(req.requestId)) this.caps.hold(req.tech.id, req.deviceId);
    this.pending.set(req.requestId, req);
  }

  pendingRequest(requestId: string): RoutedRequest | undefined {
    return this.pending.get(requestId);
  }

  pendingWhere(pick: (r: RoutedRequest) => boolean): RoutedRequest[] {
    return [...this.pending.values()].filter(pick);
  }

  /** Forget a pending request and stop its expiry timer. */
  dropPending(req: RoutedRequest): void {
    this.clock.cancel(req.timer);
    if (!this.pending.delete(req.requestId)) return;
    this.caps.release(req.tech.id, req.deviceId);
    // Given back once: a request put back after a decision the audit could not take holds only its local slot.
    if (req.sharedHold) this.releaseShared(req.sharedHold);
    delete req.sharedHold;
  }

  /** Gives a shared slot back (set by the router when a bus spans instances). */
  releaseShared: (hold: PendingHold) => void = () => undefined;

  // ---- accepted, waiting for session.started ------------------------------------------

  awaitStart(requestId: string, entry: AwaitingStart): void {
    this.awaiting.delete(requestId);
    this.awaiting.set(requestId, entry);
    dropOldest(this.awaiting, this.bounds.maxAwaitingStart);
  }

  awaitingStart(requestId: string): AwaitingStart | undefined {
    return this.awaiting.get(requestId);
  }

  stopAwaiting(requestId: string): void {
    this.awaiting.delete(requestId);
  }

  /** Forget the accepted requests `pick` selects; returns them. */
  dropAwaitingWhere(pick: (a: AwaitingStart) => boolean): Array<[requestId: string, entry: AwaitingStart]> {
    const dropped = [...this.awaiting].filter(([, a]) => pick(a));
    for (const [requestId] of dropped) this.awaiting.delete(requestId);
    return dropped;
  }

  // ---- sessions -----------------------------------------------------------------------

  /** Add or replace (at session.started) the session with this id. */
  setSession(s: RoutedSession): void {
    const previous = this.sessions.get(s.sessionId);
    if (previous && previous !== s) this.ended.delete(previous);
    this.sessions.set(s.sessionId, s);
  }

  session(sessionId: string): RoutedSession | undefined {
    return this.sessions.get(sessionId);
  }

  /** The live (not ended) session with this device, if this instance routes one. */
  liveSessionOf(deviceId: string): RoutedSession | undefined {
    for (const s of this.sessions.values()) if (s.deviceId === deviceId && !s.ended) return s;
    return undefined;
  }

  /** True while `s` is the session the table holds under its id. */
  holds(s: RoutedSession): boolean {
    return this.sessions.get(s.sessionId) === s;
  }

  sessionsWhere(pick: (s: RoutedSession) => boolean): RoutedSession[] {
    return [...this.sessions.values()].filter(pick);
  }

  hasSessionFor(requestId: string): boolean {
    for (const s of this.sessions.values()) if (s.requestId === requestId) return true;
    return false;
  }

  /** The session is over: no more timers, kept (bounded) only for the agent's late end and summary. */
  markEnded(s: RoutedSession, by: EndReason): void {
    s.ended = true;
    s.endedBy = by;
    this.clock.cancel(s.expiryTimer);
    this.awaiting.delete(s.requestId);
    this.onEnded(s);
    if (!this.holds(s)) return;
    this.ended.add(s);
    while (this.ended.size > this.bounds.maxEndedSessions) {
      const oldest = this.ended.values().next().value;
      if (oldest) this.forget(oldest);
    }
  }

  /** Stop routing for a session at all. */
  forget(s: RoutedSession): void {
    this.onEnded(s);
    this.clock.cancel(s.expiryTimer);
    this.ended.delete(s);
    if (this.holds(s)) this.sessions.delete(s.sessionId);
  }

  // ---- forwarded request frames ------------------------------------------------------

  rememberForwarded(frameId: string, owner: Owner, techMsgId: string): void {
    this.forwarded.set(frameId, { owner: ownerOf(owner), techMsgId });
    dropOldest(this.forwarded, this.bounds.maxForwarded);
  }

  takeForwarded(frameId: string): ForwardedFrame | undefined {
    const f = this.forwarded.get(frameId);
    this.forwarded.delete(frameId);
    return f;
  }

  // ---- whole connections -------------------------------------------------------------

  /** A technician connection is gone: forget what only it could have used. */
  dropTechnician(peer: Peer): void {
    this.dropAwaitingWhere((a) => a.peer === peer);
    for (const [id, f] of this.forwarded) if (f.owner.peer === peer) this.forwarded.delete(id);
  }

  /** Relay shutdown: forget everything and stop every timer. */
  clear(): void {
    for (const req of this.pending.values()) {
      this.clock.cancel(req.timer);
      if (req.sharedHold) this.releaseShared(req.sharedHold);
    }
    for (const s of this.sessions.values()) this.clock.cancel(s.expiryTimer);
    this.pending.clear();
    this.caps.clear();
    this.awaiting.clear();
    this.sessions.clear();
    this.ended.clear();
    this.forwarded.clear();
  }
}

/** Maps iterate in insertion order: past the bound, the oldest entries go. */
function dropOldest<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done) return;
    map.delete(oldest.value);
  }
}
