// `--alert-webhook URL`: POSTs each membership or permission change as a signed
// JSON event (webhook-signature.ts), one at a time in order, retried with
// backoff (1 s doubling to 10 min, at most 10 attempts, then given up: logged and
// counted). It runs on its own timers: the relay never waits for the receiver.
// The events come from the admin trail in the storage, so changes made by
// admin commands in other processes are seen within `pollMs`.
import { technicianView } from '../accounts/admin-trail.js';
import type { RelayStorage } from '../storage/storage.js';
import { alertForRecord, temporaryEnded, type AlertEvent } from './alert-event.js';
import { AlertQueue, type QueuedAlert } from './alert-queue.js';
import { readAfter } from './audit-tail.js';
import { signatureHeader } from './webhook-signature.js';
import { StreamPause } from './stream-pause.js';

export interface AlertWebhookOptions {
  url: URL;
  secret: Buffer;
  storage: RelayStorage;
  dataDir: string;
  log: (line: string) => void;
  now?: () => number;
  maxAttempts?: number;
  firstRetryMs?: number;
  maxRetryMs?: number;
  pollMs?: number;
  expiryScanMs?: number;
  requestTimeoutMs?: number;
}

export const ALERT_RETRY = { maxAttempts: 10, firstRetryMs: 1000, maxRetryMs: 10 * 60_000 } as const;

export class AlertWebhook {
  private readonly o: Required<AlertWebhookOptions>;
  private stopped = false;
  private inFlight: AbortController | undefined;
  private nextScanAt = 0;
  private readonly pauses = new StreamPause();
  private loop: Promise<void> = Promise.resolve();

  private constructor(
    private readonly queue: AlertQueue,
    opts: AlertWebhookOptions,
  ) {
    this.o = { now: Date.now, ...ALERT_RETRY, pollMs: 500, expiryScanMs: 5000, requestTimeoutMs: 10_000, ...opts };
  }

  /** A relay that turns the webhook on for the first time alerts from now on (not the whole history). */
  static async open(opts: AlertWebhookOptions): Promise<AlertWebhook> {
    const head = (await opts.storage.auditHead())?.seq ?? 0;
    const { queue, fresh } = AlertQueue.open(opts.dataDir, head, opts.log);
    const nowMs = (opts.now ?? Date.now)();
    if (fresh) queue.add([], head, Object.fromEntries((await opts.storage.listTechnicians()).filter((t) => t.disableAt && Date.parse(t.disableAt) <= nowMs).map((t) => [t.id, t.disableAt!])));
    return new AlertWebhook(queue, opts);
  }

  get counts(): AlertQueue['counts'] {
    return this.queue.counts;
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.inFlight?.abort();
    this.pauses.interrupt();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.collect();
        if (this.o.now() >= this.nextScanAt) await this.scanTemporaryEnds();
      } catch (err) {
        this.o.log(`relay: alert webhook could not read the storage: ${err instanceof Error ? err.message : String(err)}`);
      }
      const head = this.queue.head();
      if (head && head.nextAttemptAt <= this.o.now()) {
        await this.deliver(head);
        continue;
      }
      await this.pauses.sleep(head ? Math.min(this.o.pollMs, head.nextAttemptAt - this.o.now()) : this.o.pollMs, false, this.stopped);
    }
  }

  private async collect(): Promise<void> {
    for (;;) {
      const read = await readAfter(this.o.storage, this.queue.seq);
      const last = read.records.at(-1)?.seq ?? read.gap?.toSeq;
      if (last === undefined) return;
      const events = read.records.map(alertForRecord).filter((e): e is AlertEvent => e !== null);
      this.dropped(this.queue.add(events, last));
    }
  }

  private async scanTemporaryEnds(): Promise<void> {
    this.nextScanAt = this.o.now() + this.o.expiryScanMs;
    const nowMs = this.o.now();
    const techs = await this.o.storage.listTechnicians();
    const ended = techs.filter((t) => t.disableAt !== undefined && Date.parse(t.disableAt) <= nowMs && !t.disabled && this.queue.announcedEnd(t.id) !== t.disableAt);
    if (ended.length > 0) {
      const events = ended.map((t) => temporaryEnded(t.id, t.disableAt!, technicianView(t)));
      this.dropped(this.queue.add(events, this.queue.seq, Object.fromEntries(ended.map((t) => [t.id, t.disableAt!]))));
    }
    const current = new Map(techs.map((t) => [t.id, t.disableAt]));
    this.queue.keepAnnounced((id, at) => current.get(id) === at);
  }

  private dropped(events: AlertEvent[]): void {
    for (const e of events) this.o.log(`relay: alert webhook queue full (${this.queue.counts.queued}); oldest event ${e.id} (${e.type} ${e.technician}) dropped undelivered (${this.queue.counts.dropped} dropped so far)`);
  }

  private async deliver(queued: QueuedAlert): Promise<void> {
    const body = JSON.stringify(queued.event);
    const abort = new AbortController();
    this.inFlight = abort;
    const timer = setTimeout(() => abort.abort(new Error('timed out')), this.o.requestTimeoutMs);
    let problem: string | undefined;
    try {
      const res = await fetch(this.o.url, {
        method: 'POST',
        redirect: 'manual',
        signal: abort.signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'porchlight-relay',
          'x-porchlight-event': queued.event.type,
          'x-porchlight-delivery': queued.event.id,
          'x-porchlight-attempt': String(queued.attempts + 1),
          'x-porchlight-signature': signatureHeader(this.o.secret, this.o.now(), body),
        },
        body,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status > 299) problem = `HTTP ${res.status}`;
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      problem = cause ?? (err instanceof Error ? err.message : String(err));
    } finally {
      clearTimeout(timer);
      this.inFlight = undefined;
    }
    if (this.stopped && problem !== undefined) return; // Cut short by shutdown: not an attempt; it is sent after the restart.
    if (problem === undefined) return this.queue.delivered();
    const attempt = queued.attempts + 1;
    const delay = Math.min(this.o.maxRetryMs, this.o.firstRetryMs * 2 ** (attempt - 1));
    const gaveUp = this.queue.failed(this.o.maxAttempts, this.o.now() + delay);
    const what = `event ${queued.event.id} (${queued.event.type} ${queued.event.technician})`;
    this.o.log(
      gaveUp
        ? `relay: alert webhook ${what} given up after ${attempt} attempts (last: ${problem}); ${this.queue.counts.givenUp} given up so far`
        : `relay: alert webhook ${what} attempt ${attempt} of ${this.o.maxAttempts} failed (${problem}); retrying in ${delay} ms`,
    );
  }
}
