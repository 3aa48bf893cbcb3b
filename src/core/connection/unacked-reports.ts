// Every anchored report the agent sent (or could not send) that the relay has
// not yet said it recorded. Kept in order in a file in the agent's data dir, so
// an agent restart keeps them too, and re-sent as `session.late` after each
// reconnect: a relay killed before it wrote or acknowledged them still ends up
// with the whole session. Bounded: past the cap the oldest is dropped (the
// agent's own audit log still has it, and `audit verify --anchors` shows the gap).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { newMessageId } from '../../protocol/frame.js';
import { lateReportSchema, type LateReport, type Message } from '../../protocol/messages.js';

export const MAX_UNACKED_REPORTS = 1_000;
const FILE_NAME = 'unacked-reports.json';
const fileSchema = z.strictObject({ v: z.literal(1), reports: z.array(z.unknown()).max(MAX_UNACKED_REPORTS) });

const LATE_TYPES = new Set<string>(lateReportSchema.options.map((o) => o.shape.type.value));

/** A report the relay should hold: one of the anchored types, carrying its anchor. */
export function isLateReport(msg: Message): msg is LateReport {
  return LATE_TYPES.has(msg.type) && 'audit' in msg && msg.audit !== undefined;
}

export function lateMessage(report: LateReport): Message<'session.late'> {
  return { v: 1, type: 'session.late', id: newMessageId(), report };
}

export class UnackedReports {
  private readonly reports = new Map<string, LateReport>();
  /** Reports dropped past the cap since start (logged by the caller). */
  dropped = 0;

  private constructor(private readonly path: string | undefined) {}

  /** Load from the data dir; a missing or unreadable file starts empty (the audit log is the record). */
  static open(dataDir: string | undefined): UnackedReports {
    const store = new UnackedReports(dataDir === undefined ? undefined : `${dataDir}/${FILE_NAME}`);
    if (store.path === undefined) return store;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(store.path, 'utf8'));
    } catch {
      return store;
    }
    const file = fileSchema.safeParse(raw);
    if (!file.success) return store;
    for (const r of file.data.reports) {
      const report = lateReportSchema.safeParse(r);
      if (report.success && report.data.audit) store.reports.set(report.data.id, report.data);
    }
    return store;
  }

  add(report: LateReport): void {
    this.reports.set(report.id, report);
    while (this.reports.size > MAX_UNACKED_REPORTS) {
      this.reports.delete(this.reports.keys().next().value!);
      this.dropped++;
    }
    this.save();
  }

  /** The relay recorded it (or already had it). */
  acknowledged(reportId: string): void {
    if (this.reports.delete(reportId)) this.save();
  }

  /**
   * The relay refused the report. `unknown-session`: it has no live state for it (restarted, or the session
   * already ended there), so it goes again as late, now. Any other code is the relay's deliberate answer
   * (recorded there as rejected): forget it.
   */
  refused(reportId: string, code: string): LateReport | undefined {
    const report = this.reports.get(reportId);
    if (!report) return undefined;
    if (code === 'unknown-session') return report;
    this.acknowledged(reportId);
    return undefined;
  }

  /** In the order they were written (agent seq order). */
  all(): LateReport[] {
    return [...this.reports.values()].sort((a, b) => a.audit!.seq - b.audit!.seq);
  }

  get size(): number {
    return this.reports.size;
  }

  private save(): void {
    if (this.path === undefined) return;
    const tmp = `${this.path}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify({ v: 1, reports: [...this.reports.values()] }), { mode: 0o600 });
      renameSync(tmp, this.path);
    } catch {
      // A full disk: the reports stay in memory for this run; the audit log holds them regardless.
    }
  }
}
