// One connected peer as the router sees it: something to send frames to and close.
import type { Message } from '../protocol/messages.js';

export interface Peer {
  /** Connection id (for logs and maps), not a security identity. */
  readonly connectionId: string;
  send(msg: Message): void;
  close(code: number, reason: string): void;
}
