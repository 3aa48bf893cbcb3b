// Coalesces "request blocked" desktop notifications. A rogue relay can send
// blocked requests as fast as it likes (bad signatures, replays, policy
// refusals); the user sees at most one notice per technician per window and at
// most `perWindow` notices in all, then one summary of how many more were blocked.
import type { Clock } from '../../shared/clock.js';
import type { Notification } from '../ui-port.js';

export const BLOCK_NOTICE_WINDOW_MS = 60_000;
export const BLOCK_NOTICES_PER_WINDOW = 3;

export class BlockNotices {
  private shown: { technicianId: string; at: number }[] = [];
  private suppressed = 0;
  private timer: unknown;

  constructor(
    private readonly clock: Clock,
    private readonly notify: (n: Notification) => void,
    private readonly perWindow = BLOCK_NOTICES_PER_WINDOW,
  ) {}

  /** Show `n` now if the budget allows, otherwise count it towards the next summary. */
  offer(technicianId: string, n: Notification): void {
    const now = this.clock.now();
    this.shown = this.shown.filter((s) => s.at > now - BLOCK_NOTICE_WINDOW_MS);
    if (this.shown.length < this.perWindow && !this.shown.some((s) => s.technicianId === technicianId)) {
      this.shown.push({ technicianId, at: now });
      this.notify(n);
      return;
    }
    this.suppressed++;
    // One summary per window at most: the timer is armed by the first suppressed notice only.
    if (this.timer === undefined) this.timer = this.clock.setTimeout(() => this.flush(), BLOCK_NOTICE_WINDOW_MS);
  }

  stop(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    const count = this.suppressed;
    this.suppressed = 0;
    if (count === 0) return;
    this.notify({
      kind: 'policy-block',
      title: 'Remote support requests blocked',
      body: `${count} more ${count === 1 ? 'request was' : 'requests were'} blocked.`,
    });
  }
}
