// Why requests and sessions did not go as asked, by the cause the audit names:
// how each session of the month ended (a device that dropped out is
// `agent-lost`, apart from the relay going away), and who or what declined
// each declined request (the user's Decline, Escape, a closed window, a
// timeout, a lost relay, policy ...). Counts, most frequent first.
import type { SessionView } from '../audit/session-projection.js';
import type { MonthlyReport } from './report-model.js';

/** A started session with no end record yet (still live, or its end was never audited). */
export const NOT_ENDED = 'not-ended';

export function failureCauses(month: readonly SessionView[]): Omit<MonthlyReport['failureCauses'], 'common'> {
  const ends = new Map<string, number>();
  const declines = new Map<string, number>();
  for (const v of month) {
    if (v.startedAt !== null) bump(ends, v.endedBy ?? NOT_ENDED);
    if (v.outcome === 'declined' && v.decidedBy !== null) bump(declines, v.decidedBy);
  }
  return {
    sessionEnds: sorted(ends).map(([by, count]) => ({ by, count })),
    declinedBy: sorted(declines).map(([decidedBy, count]) => ({ decidedBy, count })),
  };
}

export function bump<K extends string>(m: Map<K, number>, key: K): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

/** Most frequent first, then by name. */
export function sorted<K extends string>(m: Map<K, number>): Array<[K, number]> {
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
