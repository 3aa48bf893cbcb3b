// The wait between rounds of a stream's loop: a timer that new records can end
// early (when the loop waits for them) and that stopping, or a lost link, always
// ends at once. One per stream; its loop owns `stopped`.
export class StreamPause {
  private wake: () => void = () => undefined;
  private cut: () => void = () => undefined;

  /** Sleep `ms`; `wakeable`: new records end it early. Ends at once when `stopped`. */
  sleep(ms: number, wakeable: boolean, stopped: boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = wakeable ? done : () => undefined;
      this.cut = done;
      if (stopped) done();
    });
  }

  /** New records: end a wakeable sleep. */
  wakeUp(): void {
    this.wake();
  }

  /** End the current sleep, whatever kind. */
  interrupt(): void {
    this.cut();
  }
}
