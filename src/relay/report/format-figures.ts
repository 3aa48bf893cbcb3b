// How figures read in every human format (md, csv, html): one place, so the
// formats never disagree. `—` stands for "nothing to compute from".
import type { ConsentCategory, ConsentRates } from './consent-rates.js';
import type { MonthlyReport } from './report-model.js';

export const NONE = '—';

export function percent(rate: number | null): string {
  return rate === null ? NONE : `${(rate * 100).toFixed(1)}%`;
}

export function duration(sec: number | null): string {
  if (sec === null) return NONE;
  const s = Math.round(sec);
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
  const m = Math.round(s / 60);
  if (m < 48 * 60) return m % 60 === 0 ? `${m / 60} h` : `${Math.floor(m / 60)} h ${m % 60} min`;
  const h = Math.round(s / 3600);
  return h % 24 === 0 ? `${h / 24} d` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** "November 2026" for "2026-11". */
export function monthTitle(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, 1));
}

/** Lists on the one-page formats (md, html) stop here; csv and json carry every item. */
export const LIST_LIMIT = 50;

export function moreText(total: number): string | null {
  return total > LIST_LIMIT ? `… and ${total - LIST_LIMIT} more (every one is in the csv and json formats).` : null;
}

export const OUTCOME_LABELS = {
  accepted: 'Accepted',
  partial: 'Partly accepted',
  declined: 'Declined',
  expired: 'Expired',
  blocked: 'Blocked by policy',
  noUserPresent: 'No user present',
  cancelled: 'Withdrawn',
  agentOffline: 'Device went offline',
  pending: 'No decision recorded',
  refusedByRelay: 'Refused by the relay',
} as const;

/** Labels of the consent rates (consent-rates.ts), in their order. */
export const CONSENT_LABELS: Record<ConsentCategory, string> = {
  accepted: 'Accepted',
  partial: 'Partly accepted',
  declined: 'Declined',
  expired: 'Expired (nobody answered)',
  noUserPresent: 'No user present',
};

/** "Accepted 55.6 % (5) · Partly accepted 11.1 % (1) · ...": every share with its count, adding up to 100 %. */
export function consentRatesText(c: ConsentRates): string {
  if (c.base === 0) return 'no request a user could answer';
  return c.shares.map((s) => `${CONSENT_LABELS[s.category]} ${s.percent.toFixed(1)} % (${s.count})`).join(' · ');
}

/** What is counted beside the users' answers. */
export function consentApartText(c: ConsentRates): string {
  const declined = c.approvalDeclinedByUser > 0 ? `; ${c.approvalDeclinedByUser} manager-approved request(s) declined by the user at the device, in Declined` : '';
  return `of ${c.base} requests a user could answer; apart: ${c.byApproval} started on a manager approval, ${c.byEmergency} emergency${declined}`;
}

export const DEFINITIONS: ReadonlyArray<[string, string]> = [
  ['Requests', 'session requests the relay forwarded to a device in the month (by request time).'],
  ['Sessions', 'requests that led to a started remote session.'],
  ['Rates', 'accept, partial, decline and expire rates are shares of the requests the device decided (accepted, partial, declined, expired, blocked, no user present).'],
  ['Consent rates', 'how the requests a user could answer ended (accepted, partly accepted, declined, expired, no user present), each a share to one decimal that together make exactly 100 % (largest remainder); sessions a manager approval or an emergency started are counted apart, never as a user\'s consent; a manager-approved request the user declined counts as declined.'],
  ['Refused', 'per technician: requests refused before any user saw them, by the relay (permission, approval, offline device) or blocked on the device (policy, verification).'],
  ['Time to consent', 'from the request to the user\'s accept (full or partial), on the relay\'s clock; approvals and emergencies are not counted. Median, and 90th percentile by nearest rank.'],
  ['First-contact resolution', 'tickets first resolved in the month after exactly one remote session, out of those resolved after at least one session.'],
  ['MTTR', 'per ticket resolved in the month, from its first request (in any month) to its first "resolved" close.'],
  ['Repeat incident', 'a ticket opened in the month on a device that had another ticket in the 30 days before.'],
  ['Declined scopes', 'scopes users declined themselves (timeouts and policy blocks excluded).'],
  ['How sessions ended', 'sessions of the month by the end the audit names: user, technician, expiry, policy, agent-exit, agent-lost (the device disconnected during the session), relay-lost, relay-shutdown, or not-ended.'],
  ['Who declined', 'declined requests by decidedBy: user (the Decline button, or nothing allowed), escape, dialog-closed (window closed), timeout, relay-lost, policy, rate-limit and the rest.'],
  ['Without outcome', 'tickets with requests in the month and no close outcome recorded by its end.'],
];

/** The "Tickets" table, the same rows in every format. */
export function ticketFigureRows(t: MonthlyReport['tickets']): [string, string | number][] {
  return [
    ['Active in the month', t.active],
    ['Opened in the month', t.opened],
    ['Resolved in the month', t.resolved],
    ['Resolved without a remote session', t.resolvedWithoutSession],
    ['Closed as resolved / follow-up / escalated', `${t.closedAs.resolved} / ${t.closedAs.followUp} / ${t.closedAs.escalated}`],
    ['Without outcome (sessions)', `${t.withoutOutcome} (${t.sessionsWithoutOutcome})`],
  ];
}
