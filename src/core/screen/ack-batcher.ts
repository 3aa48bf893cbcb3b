// Credit going back on a data channel, batched: one ack frame per quarter
// window instead of one per frame, so the return path (through the relay and
// its checks) carries a fraction of the frames: each ack costs a write, a
// relay hop and a wake-up of the sender, as much as a data frame. An ack
// leaves at once when a quarter of the window is owed (the sender still has
// three quarters to send on, so a flood never stalls on the batch) and
// otherwise ACK_DELAY_MS after the first unacknowledged frame (a quiet channel
// gets all its credit back; small interactive messages are not delayed, only
// their credit, and their acks stay off the round trip they belong to).
import { CHANNEL_WINDOW_BYTES } from '../../protocol/channel-frame.js';

/** How long credit below the threshold waits for more before it goes back. */
export const ACK_DELAY_MS = 2;

export class AckBatcher {
  private owed = 0;
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly sendAck: (bytes: number) => void,
    private readonly flushAtBytes: number = CHANNEL_WINDOW_BYTES / 4,
    private readonly schedule: (run: () => void) => void = (run) => void setTimeout(run, ACK_DELAY_MS),
  ) {}

  /** Credit for bytes passed on; sent now (a quarter window owed) or after ACK_DELAY_MS. */
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
