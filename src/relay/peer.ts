// One connected peer as the router sees it: something to send frames to and close.
import type { Message } from '../protocol/messages.js';

export interface Peer {
  /** Connection id (for logs and maps), not a security identity. */
  readonly connectionId: string;
  send(msg: Message): void;
  close(code: number, reason: string): void;
}

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
  rekeyed: 4003,
  /** The peer stopped reading and its send buffer passed the cap. */
  slowConsumer: 4008,
} as const;
