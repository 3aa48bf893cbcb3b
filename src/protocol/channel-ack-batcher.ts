// Credit going back on a data channel, batched: one ack frame per burst of data
// frames instead of one per frame, so the return path (through the relay and
// its rate checks) carries a fraction of the frames. An ack leaves at once when
// a quarter of the window is owed (the sender never stalls on the batch) and
// otherwise once the current burst of socket events has been handled.
// Browser-safe: the technician console batches its acks with it too.
import { CHANNEL_WINDOW_BYTES } from './channel-frame.js';

/** After the current burst of I/O events: setImmediate in Node, a zero timeout in a browser. */
function afterBurst(run: () => void): void {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  if (immediate) immediate(run);
  else setTimeout(run, 0);
}

export class AckBatcher {
  private owed = 0;
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly sendAck: (bytes: number) => void,
    private readonly flushAtBytes: number = CHANNEL_WINDOW_BYTES / 4,
    private readonly schedule: (run: () => void) => void = afterBurst,
  ) {}

  /** Credit for bytes passed on; sent now or with the rest of the burst. */
  add(bytes: number): void {
    if (this.stopped || bytes <= 0) return;
    this.owed += bytes;
    if (this.owed >= this.flushAtBytes) return this.flush();
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Nothing more goes out (the channel closed). */
  stop(): void {
    this.stopped = true;
    this.owed = 0;
  }

  private flush(): void {
    if (this.stopped || this.owed === 0) return;
    const bytes = this.owed;
    this.owed = 0;
    this.sendAck(bytes);
  }
}
