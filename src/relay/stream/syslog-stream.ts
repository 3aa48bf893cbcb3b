// Sends every central audit record to a syslog receiver, in chain order, after
// it is durable, on its own schedule: the central audit and forwarding never
// wait for it. Delivery is at least once. Plain syslog has no acknowledgement,
// so a record counts as delivered once it has been handed to the operating system
// and the connection has then stayed up `confirmMs`; when a connection is lost,
// every record not yet counted is sent again after reconnecting (backoff
// 250 ms doubling to 30 s). The queue is the central audit after the cursor.
import { hostname } from 'node:os';
import type { RelayStorage } from '../storage/storage.js';
import { readAfter } from './audit-tail.js';
import { Backoff } from './backoff.js';
import type { StreamCursor } from './stream-cursor.js';
import { openSyslogLink, type SyslogLink } from './syslog-link.js';
import { syslogGapMessage, syslogMessage, type SyslogOrigin } from './syslog-message.js';
import type { SyslogTarget } from './syslog-target.js';
import { StreamPause } from './stream-pause.js';

export interface SyslogStreamOptions {
  target: SyslogTarget;
  /** Trusted roots for tcp+tls (Node's plus a private CA). */
  ca?: string[];
  storage: RelayStorage;
  cursor: StreamCursor;
  log: (line: string) => void;
  now?: () => number;
  confirmMs?: number;
  idlePollMs?: number;
  origin?: SyslogOrigin;
}

/** Records sent but not yet counted delivered, at most; past it sending waits for confirmations. */
const MAX_UNCONFIRMED = 10_000;
/** While the receiver is away, one line for the first failed attempt and then one every this many. */
const LOG_EVERY_ATTEMPTS = 10;

interface Sent {
  seq: number;
  flushedAt: number;
}

export class SyslogStream {
  private readonly o: Required<Omit<SyslogStreamOptions, 'ca'>> & { ca?: string[] };
  private link: SyslogLink | undefined;
  private linkLost: string | undefined;
  private unconfirmed: Sent[] = [];
  private next = 0;
  private stopped = false;
  /** Ends an idle wait early (a new record); never a backoff wait. */
  /** Ends any wait (stop, a lost connection). */
  private readonly pauses = new StreamPause();
  private loop: Promise<void> = Promise.resolve();
  private readonly backoff = new Backoff({ firstMs: 250, maxMs: 30_000 });
  /** Cuts a connect in progress short at stop (a receiver that does not answer would hold it 10 s). */
  private readonly stopping = new AbortController();

  constructor(opts: SyslogStreamOptions) {
    this.o = { now: Date.now, confirmMs: 2000, idlePollMs: 250, origin: { hostname: hostname(), procId: String(process.pid) }, ...opts };
  }

  start(): void {
    this.loop = this.run().catch((err: unknown) => this.o.log(`relay: syslog ${this.o.target.label} stopped: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** A new record may be there (the append hook); the loop also polls for other writers' records. */
  wake(): void {
    this.pauses.wakeUp();
  }

  /** Send what is queued for up to `graceMs` while the receiver is there, then close; the rest waits for the next start. */
  async stop(graceMs = 3000): Promise<void> {
    const end = this.o.now() + graceMs;
    while (this.link && !this.linkLost && this.o.now() < end) {
      const head = (await this.o.storage.auditHead())?.seq ?? 0;
      this.confirm();
      if (this.o.cursor.seq >= head) break;
      await this.pauses.sleep(50, false, this.stopped);
    }
    this.stopped = true;
    this.stopping.abort();
    this.pauses.interrupt();
    await this.loop;
    this.confirm();
    this.o.cursor.save();
    await this.link?.close();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!this.link || this.linkLost) {
        await this.reconnect();
        continue;
      }
      this.confirm();
      this.o.cursor.save();
      if (this.unconfirmed.length >= MAX_UNCONFIRMED) {
        await this.pauses.sleep(this.o.confirmMs / 4, false, this.stopped);
        continue;
      }
      const read = await readAfter(this.o.storage, this.next - 1);
      if (read.gap) await this.sendGap(read.gap.fromSeq, read.gap.toSeq);
      if (read.records.length === 0) {
        await this.pauses.sleep(this.unconfirmed.length > 0 ? Math.min(this.o.idlePollMs, this.o.confirmMs / 4) : this.o.idlePollMs, true, this.stopped);
        continue;
      }
      for (const record of read.records) {
        if (this.stopped || this.linkLost) break;
        const ok = await this.send(syslogMessage(record, this.o.origin), record.seq);
        if (!ok) break;
      }
    }
  }

  private async send(msg: string, seq: number): Promise<boolean> {
    const link = this.link!;
    const entry: Sent = { seq, flushedAt: Number.POSITIVE_INFINITY };
    this.unconfirmed.push(entry);
    this.next = seq + 1;
    try {
      // A lost connection fails the write's callback too (destroyed socket), so this never hangs past a loss.
      await link.send(msg);
      entry.flushedAt = this.o.now();
      if (link.unacknowledged) this.confirm();
      return true;
    } catch (err) {
      this.linkLost ??= err instanceof Error ? err.message : String(err);
      return false;
    }
  }

  /** Count as delivered every record handed over at least `confirmMs` ago on a connection still up (UDP: at once). */
  private confirm(): void {
    if (!this.link || this.linkLost) return;
    const settleBefore = this.link.unacknowledged ? Number.POSITIVE_INFINITY : this.o.now() - this.o.confirmMs;
    let count = 0;
    let seq = this.o.cursor.seq;
    while (this.unconfirmed.length > 0 && this.unconfirmed[0]!.flushedAt <= settleBefore) {
      seq = this.unconfirmed.shift()!.seq;
      count += 1;
    }
    if (count > 0) this.o.cursor.delivered(seq, count);
  }

  private async sendGap(fromSeq: number, toSeq: number): Promise<void> {
    const count = toSeq - fromSeq + 1;
    this.o.log(`relay: syslog ${this.o.target.label}: central audit records ${fromSeq}..${toSeq} (${count}) were removed by retention before they were sent`);
    try {
      await this.link!.send(syslogGapMessage(fromSeq, toSeq, new Date(this.o.now()).toISOString(), this.o.origin));
    } catch {
      // The loss shows on the link; the skip is counted and logged either way.
    }
    // Only once nothing before the gap is outstanding can the cursor move past it.
    this.unconfirmed = this.unconfirmed.filter((s) => s.seq < fromSeq);
    this.o.cursor.skipped(this.unconfirmed.length === 0 ? toSeq : undefined, count);
    this.next = toSeq + 1;
  }

  private async reconnect(): Promise<void> {
    if (this.link) {
      const resend = this.unconfirmed.length;
      this.o.log(
        `relay: syslog ${this.o.target.label} lost (${this.linkLost}); ${resend} records not yet counted delivered will be sent again; ` +
          `the rest waits in the central audit after seq ${this.o.cursor.seq}`,
      );
      this.o.cursor.resent(resend);
      this.o.cursor.save();
      const old = this.link;
      this.link = undefined;
      void old.close();
    }
    this.unconfirmed = [];
    this.linkLost = undefined;
    try {
      const link = await openSyslogLink(this.o.target, this.o.ca, this.stopping.signal);
      if (this.stopped) return void (await link.close());
      this.link = link;
      void link.lost.then((why) => {
        if (this.link === link) {
          this.linkLost ??= why;
          this.pauses.interrupt();
        }
      });
      const head = (await this.o.storage.auditHead())?.seq ?? 0;
      const after = this.backoff.attempts > 0 ? ` after ${this.backoff.attempts} failed attempts` : '';
      this.o.log(`relay: syslog ${this.o.target.label} connected${after}; sending from seq ${this.o.cursor.seq + 1} (${Math.max(0, head - this.o.cursor.seq)} queued)`);
      this.backoff.reset();
      this.next = this.o.cursor.seq + 1;
    } catch (err) {
      const attempt = this.backoff.attempts + 1;
      const delay = this.backoff.next();
      if (attempt === 1 || attempt % LOG_EVERY_ATTEMPTS === 0) {
        const head = (await this.o.storage.auditHead().catch(() => null))?.seq ?? this.o.cursor.seq;
        this.o.log(
          `relay: syslog ${this.o.target.label} unreachable (${err instanceof Error ? err.message : String(err)}, attempt ${attempt}); ` +
            `${Math.max(0, head - this.o.cursor.seq)} records queued in the central audit; retrying in ${delay} ms`,
        );
      }
      await this.pauses.sleep(delay, false, this.stopped);
    }
  }
}
