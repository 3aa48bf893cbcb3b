// Waiting for one answer frame (a file's verdict, a channel opening, a ticket's
// close) without holding a handler per kind in main.ts. Bounded: a wait ends at
// its timeout or when the connection closes, with undefined.
import type { Message } from '../../protocol/messages.js';

/** Waits at once: a console runs a handful of them; more means a bug, and they are refused. */
const MAX_WAITERS = 64;

interface Waiter {
  pick: (m: Message) => boolean;
  resolve: (m: Message | undefined) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class FrameWaiters {
  private readonly waiting = new Set<Waiter>();

  offer(msg: Message): void {
    for (const w of [...this.waiting]) if (w.pick(msg)) this.settle(w, msg);
  }

  wait<T extends Message>(pick: (m: Message) => m is T, ms: number): Promise<T | undefined> {
    if (this.waiting.size >= MAX_WAITERS) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const w: Waiter = { pick, resolve: resolve as (m: Message | undefined) => void, timer: setTimeout(() => this.settle(w, undefined), ms) };
      this.waiting.add(w);
    });
  }

  /** The connection is gone: every wait ends without an answer. */
  closeAll(): void {
    for (const w of [...this.waiting]) this.settle(w, undefined);
  }

  private settle(w: Waiter, msg: Message | undefined): void {
    if (!this.waiting.delete(w)) return;
    clearTimeout(w.timer);
    w.resolve(msg);
  }
}
