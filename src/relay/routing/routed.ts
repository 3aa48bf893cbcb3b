// What the router keeps per request and per session, and whose they are.
import type { PendingHold } from './shared-pending.js';
import type { CHANNEL_KINDS, END_REASONS } from '../../protocol/messages.js';
import type { CreditWindow } from '../../protocol/channel-frame.js';
import type { Scope } from '../../protocol/scopes.js';
import type { AuditContext } from '../audit/central-audit.js';
import type { Peer } from '../peer.js';
import type { TechnicianRecord } from '../storage/storage.js';

export type EndReason = (typeof END_REASONS)[number];

/** The technician connection a request or session belongs to, and the device it is for. */
export interface Owner {
  peer: Peer;
  tech: TechnicianRecord;
  deviceId: string;
  ticketId: string;
}

/** A request signed and forwarded to an agent, waiting for its decision. */
export interface RoutedRequest extends Owner {
  requestId: string;
  /** id of the technician's tech.request frame, for `re` on errors. */
  techMsgId: string;
  scopes: Scope[];
  estimatedMinutes: number;
  /** The nonce of the signed request: the device's signature on its answer must name it. */
  requestNonce: string;
  timer: unknown;
  /** When the relay itself reports `expired` (clock ms): kept to re-arm the timer after an unrecorded decision. */
  dueAt: number;
  /** The manager approval whose use this request took (token sha256): given back if the approval was not used. */
  approvalUse?: string;
  /** Its slot in the counts every instance shares (with a bus), given back when it stops pending. */
  sharedHold?: PendingHold;
}

/** An accepted request waiting for session.started: how long the agent granted, from when. */
export interface AwaitingStart extends Owner {
  sessionId?: string;
  grantedMs: number;
  decidedAt: number;
  requestNonce: string;
}

/** A session the relay routes frames for (kept a while after it ended, for the agent's late end and summary). */
export interface RoutedSession extends Owner {
  sessionId: string;
  requestId: string;
  ended: boolean;
  /** Who ended it, once ended (an expired session refuses frames with `expired`). */
  endedBy?: EndReason;
  /**
   * The granted end on the relay's clock (ms): decision + grant until started,
   * then started + grant, moved only by extensions.
   */
  endsAt: number;
  /** True once session.started was accepted: a second one is refused (it could restart the clock). */
  started: boolean;
  /** The granted duration from the decision (grantedMinutes, else the request's estimate). */
  grantedMs: number;
  /** Extensions the technician asked for and the agent has not answered: scope-request id -> minutes. */
  extensions: Map<string, number>;
  /** Relay clock minus the agent's, measured at session.started: the agent's times are on its own clock. */
  clockOffsetMs: number;
  /** The session request's nonce: the device signs its start, updates and summary over it. */
  requestNonce: string;
  /** Nonces of the scope requests sent in this session (newest MAX_SCOPE_NONCES), for the answers' signatures. */
  scopeNonces: Map<string, string>;
  expiryTimer?: unknown;
  /** The scopes granted right now (decision, start, scope updates): channel frames need `view`. */
  granted?: Set<Scope>;
  /** Open (or opening) data channels, at most one per kind, and each direction's credit in flight. */
  channels?: Map<ChannelKind, RelayChannel>;
}

export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export interface RelayChannel {
  kind: ChannelKind;
  channel: number;
  /** kind file: the announced transfer it carries. */
  transferId?: string;
  /** The agent answered channel.opened: data may flow. */
  open: boolean;
  toAgent: CreditWindow;
  toTechnician: CreditWindow;
}

/** Scope requests per session whose nonce the relay keeps (each costs the technician a rate-limited frame). */
export const MAX_SCOPE_NONCES = 100;

export function rememberScopeNonce(s: RoutedSession, requestId: string, nonce: string): void {
  s.scopeNonces.set(requestId, nonce);
  if (s.scopeNonces.size > MAX_SCOPE_NONCES) s.scopeNonces.delete(s.scopeNonces.keys().next().value as string);
}

export function ownerOf(o: Owner): Owner {
  return { peer: o.peer, tech: o.tech, deviceId: o.deviceId, ticketId: o.ticketId };
}

/** The central audit context of something an owner did. */
export function auditContext(o: Owner, ids: { requestId?: string | null; sessionId?: string | null }): AuditContext {
  return { ticketId: o.ticketId, deviceId: o.deviceId, technicianId: o.tech.id, ...ids };
}

/** The audit context of a session event: its session and request. */
export function sessionContext(s: RoutedSession): AuditContext {
  return auditContext(s, { sessionId: s.sessionId, requestId: s.requestId });
}
