// One consent prompt on screen at a time, a bounded line behind it. A job
// whose signal aborts while it waits runs at once (to decline) and leaves the line.
export type AbortReason = 'timeout' | 'cancelled' | 'relay-lost' | 'agent-restart';

export interface PromptJob {
  id: string;
  /** Show the prompt (or, if `signal` is already aborted, decline without one). */
  run(signal: AbortSignal): Promise<void>;
}

interface Entry {
  job: PromptJob;
  controller: AbortController;
}

export class PromptQueue {
  private waiting: Entry[] = [];
  private current: Entry | undefined;

  constructor(
    private readonly capacity: number,
    private readonly onChange: () => void = () => {},
  ) {}

  get waitingCount(): number {
    return this.waiting.length;
  }

  /** False when the line is full (the caller declines with queue-full). */
  offer(job: PromptJob): boolean {
    if (this.current && this.waiting.length >= this.capacity) return false;
    this.waiting.push({ job, controller: new AbortController() });
    // Waiting behind the prompt on screen: the line grew (its "N more waiting" follows).
    if (this.current) this.onChange();
    this.pump();
    return true;
  }

  /** Abort one job (on screen or waiting). */
  abort(id: string, reason: AbortReason): boolean {
    if (this.current?.job.id === id) {
      this.current.controller.abort(reason);
      return true;
    }
    const i = this.waiting.findIndex((e) => e.job.id === id);
    if (i < 0) return false;
    const [entry] = this.waiting.splice(i, 1);
    entry!.controller.abort(reason);
    void entry!.job.run(entry!.controller.signal);
    this.onChange();
    return true;
  }

  abortAll(reason: AbortReason): void {
    for (const e of [...this.waiting]) this.abort(e.job.id, reason);
    this.current?.controller.abort(reason);
  }

  private pump(): void {
    if (this.current) return;
    const next = this.waiting.shift();
    if (!next) return;
    this.current = next;
    this.onChange();
    next.job
      .run(next.controller.signal)
      .catch(() => {})
      .finally(() => {
        this.current = undefined;
        this.onChange();
        this.pump();
      });
  }
}
