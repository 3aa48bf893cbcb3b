// The alert webhook's queue, in the relay data dir (stream/alert-webhook.json),
// rewritten (fsync, rename) on every change so a relay restart resumes where it
// was: events not yet delivered with their attempt counts, the admin trail seq
// already turned into events, and which temporary accounts were announced.
// Bounded: at most MAX_QUEUED_ALERTS events; past it the oldest is dropped,
// logged and counted (membership changes are rare; a full queue means the
// receiver has been away for a long time).
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { AlertEvent } from './alert-event.js';

export const MAX_QUEUED_ALERTS = 1000;

const queued = z.strictObject({ event: z.record(z.string(), z.unknown()), attempts: z.number().int().min(0), nextAttemptAt: z.number() });
const queueFile = z.strictObject({
  seq: z.number().int().min(0),
  events: z.array(queued).max(MAX_QUEUED_ALERTS),
  announced: z.record(z.string(), z.string()),
  delivered: z.number().int().min(0),
  failedAttempts: z.number().int().min(0),
  givenUp: z.number().int().min(0),
  dropped: z.number().int().min(0),
});
type QueueState = z.infer<typeof queueFile>;
export interface QueuedAlert {
  event: AlertEvent;
  attempts: number;
  nextAttemptAt: number;
}

export class AlertQueue {
  private constructor(
    private readonly path: string,
    private state: QueueState,
  ) {}

  static open(dataDir: string, headSeq: number, log: (line: string) => void): { queue: AlertQueue; fresh: boolean } {
    const dir = join(dataDir, 'stream');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, 'alert-webhook.json');
    let json: unknown;
    let exists = true;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      exists = (err as NodeJS.ErrnoException).code !== 'ENOENT';
      json = undefined;
    }
    const parsed = queueFile.safeParse(json);
    if (parsed.success) return { queue: new AlertQueue(path, parsed.data), fresh: false };
    if (exists) log(`relay: ${path} is not an alert queue; alerts start again at the audit head (seq ${headSeq})`);
    const queue = new AlertQueue(path, { seq: headSeq, events: [], announced: {}, delivered: 0, failedAttempts: 0, givenUp: 0, dropped: 0 });
    queue.save();
    return { queue, fresh: true };
  }

  get seq(): number {
    return this.state.seq;
  }

  get counts(): { queued: number; delivered: number; failedAttempts: number; givenUp: number; dropped: number } {
    const { delivered, failedAttempts, givenUp, dropped } = this.state;
    return { queued: this.state.events.length, delivered, failedAttempts, givenUp, dropped };
  }

  head(): QueuedAlert | undefined {
    return this.state.events[0] as QueuedAlert | undefined;
  }

  announcedEnd(technicianId: string): string | undefined {
    return this.state.announced[technicianId];
  }

  /** Add events (and move the admin trail seq); returns the events dropped to stay in bound. */
  add(events: readonly AlertEvent[], seq: number, announced: Record<string, string> = {}, nowMs = Date.now()): AlertEvent[] {
    const all = [...this.state.events, ...events.map((event) => ({ event: event as unknown as Record<string, unknown>, attempts: 0, nextAttemptAt: nowMs }))];
    const over = Math.max(0, all.length - MAX_QUEUED_ALERTS);
    const dropped = all.splice(0, over).map((q) => q.event as unknown as AlertEvent);
    this.state = { ...this.state, seq: Math.max(this.state.seq, seq), events: all, announced: { ...this.state.announced, ...announced }, dropped: this.state.dropped + over };
    this.save();
    return dropped;
  }

  /** Forget announcements of accounts that are gone or whose end moved (bounded by the technicians that exist). */
  keepAnnounced(keep: (technicianId: string, disableAt: string) => boolean): void {
    const announced = Object.fromEntries(Object.entries(this.state.announced).filter(([id, at]) => keep(id, at)));
    if (Object.keys(announced).length === Object.keys(this.state.announced).length) return;
    this.state = { ...this.state, announced };
    this.save();
  }

  delivered(): void {
    this.state = { ...this.state, events: this.state.events.slice(1), delivered: this.state.delivered + 1 };
    this.save();
  }

  /** A failed attempt: retry at `nextAttemptAt`, or give up (true) after `maxAttempts`. */
  failed(maxAttempts: number, nextAttemptAt: number): boolean {
    const [first, ...rest] = this.state.events;
    if (!first) return false;
    const attempts = first.attempts + 1;
    const givenUp = attempts >= maxAttempts;
    this.state = {
      ...this.state,
      events: givenUp ? rest : [{ ...first, attempts, nextAttemptAt }, ...rest],
      failedAttempts: this.state.failedAttempts + 1,
      givenUp: this.state.givenUp + (givenUp ? 1 : 0),
    };
    this.save();
    return givenUp;
  }

  private save(): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(this.state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
