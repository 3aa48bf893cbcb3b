// WebSocket close codes a peer must understand to act on, not only log: one
// place both the relay (which sends them) and the agent (which reacts) read.

export const PROTOCOL_CLOSE = {
  /** An admin re-keyed the device (`relay enroll-device --rekey`): this connection's key is no longer enrolled. */
  rekeyed: 4003,
} as const;
