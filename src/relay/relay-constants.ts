// The relay's close codes and the bounds on what it keeps in memory: one place
// to read them, so no number in src/relay stands for a code or a cap on its own.
import { PROTOCOL_CLOSE } from '../protocol/close-codes.js';

/** WebSocket close codes the relay uses. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  /** A capacity limit (the hello nonce store is full): the peer should retry later. */
  tryAgainLater: 1013,
  replaced: 4000,
  unauthorized: 4001,
  /** An admin re-keyed the device (`relay enroll-device --rekey`): this connection's key is no longer enrolled. */
  rekeyed: PROTOCOL_CLOSE.rekeyed,
  /** IT disabled, removed or changed the technician's account, or its token expired: access withdrawn. */
  withdrawn: 4004,
  /** The peer stopped reading and its send buffer passed the cap. */
  slowConsumer: 4008,
} as const;

/** The close codes a WebSocket peer may send or receive (RFC 6455 section 7.4). */
export const CLOSE_CODE_RANGE = { min: 1000, max: 4999 } as const;

/** Routing defaults and bounds (RouterOptions may change the first four). */
export const ROUTING_LIMITS = {
  /** How long a request is valid for the agent. */
  requestLifetimeMs: 5 * 60_000,
  /** Extra wait after expiry before the relay itself reports `expired` or ends a session. */
  expiryGraceMs: 10_000,
  /** Pending requests one technician account may have at once, over all its connections. */
  maxPendingPerTechnician: 5,
  /** Pending requests one device may have at once, from all technicians together. */
  maxPendingPerDevice: 10,
  /** Forwarded request frames remembered to route an agent's `error` reply (it comes at once or not at all). */
  maxForwarded: 10_000,
  /** Accepted requests waiting for session.started; past this the oldest is forgotten. */
  maxAwaitingStart: 10_000,
  /** Ended sessions kept (for the agent's late session.end / summary); past this the oldest ended one is forgotten. */
  maxEndedSessions: 10_000,
} as const;

/** The caps a SessionTable enforces (tests use small ones). */
export const DEFAULT_PENDING_LIMITS = {
  perTechnician: ROUTING_LIMITS.maxPendingPerTechnician,
  perDevice: ROUTING_LIMITS.maxPendingPerDevice,
} as const;

export interface RoutingBounds {
  maxForwarded: number;
  maxAwaitingStart: number;
  maxEndedSessions: number;
}

/** Node timers overflow past ~24.8 days; longer waits re-arm. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Data-channel bounds at the relay (each channel's credit window bounds what is in flight per direction). */
export const RELAY_CHANNEL_LIMITS = {
  /** Binary bytes one connection may have waiting in its queue (several sessions' windows) before it counts as flooding. */
  maxQueuedBinaryBytes: 4 * 1024 * 1024,
} as const;

/** Limits on connections before they authenticate (RelayOptions may change the first two). */
export const CONNECTION_LIMITS = {
  /** Concurrent connections from one source address that have not yet completed hello. */
  maxUnauthenticatedPerAddress: 128,
  /** From TCP accept to an accepted hello (upgrade included); then the relay sends close 4001. */
  helloTimeoutMs: 5_000,
  /** After the hello deadline's close frame (or an oversized frame's 1009), the socket is destroyed this much later. */
  closeTimeoutMs: 1_000,
  /** At most one "refused: too many unauthenticated connections" log line per this interval. */
  refusalLogIntervalMs: 60_000,
} as const;
