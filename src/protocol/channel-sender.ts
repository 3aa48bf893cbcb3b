// The sending side of a data channel under credit (docs/protocol.md "Data
// channel"): bytes are cut into frames of at most MAX_CHANNEL_CHUNK and sent
// while the window has room; the rest waits for acks. `onBacklog` says when
// bytes are waiting, so a TCP source can be paused (the agent, the CLI) or a
// source that cannot be paused can be bounded (the console's VNC viewer).
// Browser-safe: no Node imports.
import { CreditWindow, MAX_CHANNEL_CHUNK } from './channel-frame.js';

export class ChannelSender {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private stopped = false;

  constructor(
    private readonly sendData: (payload: Uint8Array) => void,
    private readonly onBacklog: (backlogged: boolean) => void = () => undefined,
    private readonly window: CreditWindow = new CreditWindow(),
  ) {}

  /** Bytes waiting for credit. */
  get waiting(): number {
    return this.pendingBytes;
  }

  /** Send `bytes` (kept by reference: the caller must not reuse them). */
  push(bytes: Uint8Array): void {
    if (this.stopped) return;
    for (let at = 0; at < bytes.byteLength; at += MAX_CHANNEL_CHUNK) this.pending.push(bytes.subarray(at, at + MAX_CHANNEL_CHUNK));
    this.pendingBytes += bytes.byteLength;
    this.flush();
  }

  /** Credit back from the receiver; false when it acknowledges more than was sent (a violation). */
  ack(bytes: number): boolean {
    if (!this.window.release(bytes)) return false;
    this.flush();
    return true;
  }

  stop(): void {
    this.stopped = true;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private flush(): void {
    while (!this.stopped && this.pending.length > 0 && this.window.fits(this.pending[0]!.byteLength)) {
      const next = this.pending.shift()!;
      this.pendingBytes -= next.byteLength;
      this.window.charge(next.byteLength);
      this.sendData(next);
    }
    if (!this.stopped) this.onBacklog(this.pending.length > 0);
  }
}
