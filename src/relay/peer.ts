// One connected peer as the router sees it: something to send frames to and close.
import type { Message } from '../protocol/messages.js';

export interface Peer {
  /** Connection id (for logs and maps), not a security identity. */
  readonly connectionId: string;
  send(msg: Message): void;
  /** A binary data-channel frame, as received from the other side (bounded by its credit window). */
  sendBinary(frame: Uint8Array): void;
  close(code: number, reason: string): void;
}
