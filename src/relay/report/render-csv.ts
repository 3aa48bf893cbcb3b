// The report as CSV (RFC 4180): one figure per row, `section,item,metric,value`,
// so spreadsheets can pivot it. Text cells that a spreadsheet would run as a
// formula (= + - @ tab CR) get a leading apostrophe.
import type { MonthlyReport } from './report-model.js';

type Cell = string | number | null;

export function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function renderCsv(r: MonthlyReport): string {
  const rows: Cell[][] = [['section', 'item', 'metric', 'value']];
  const add = (section: string, item: string, metric: string, value: Cell) => rows.push([section, item, metric, value]);
  add('report', '', 'month', r.month);
  add('report', '', 'time_zone', r.timeZone);
  add('report', '', 'from', r.from);
  add('report', '', 'to', r.to);
  add('summary', '', 'requests', r.requests);
  add('summary', '', 'sessions', r.sessions);
  add('modes', '', 'attended', r.modes.attended);
  add('modes', '', 'unattended', r.modes.unattended);
  add('modes', '', 'emergency', r.modes.emergency);
  add('modes', '', 'ratio', r.modes.ratio);
  add('modes', '', 'attended_share', r.modes.attendedShare);
  for (const [k, v] of Object.entries(r.outcomes)) add('outcomes', '', snake(k), v);
  const c = r.consentRates;
  add('consent_rates', '', 'base', c.base);
  for (const s of c.shares) {
    add('consent_rates', snake(s.category), 'count', s.count);
    add('consent_rates', snake(s.category), 'percent', s.percent);
  }
  add('consent_rates', 'by_approval', 'count', c.byApproval);
  add('consent_rates', 'by_emergency', 'count', c.byEmergency);
  add('consent_rates', 'approval_declined_by_user', 'count', c.approvalDeclinedByUser);
  add('time_to_consent', '', 'count', r.timeToConsent.count);
  add('time_to_consent', '', 'median_sec', r.timeToConsent.medianSec);
  add('time_to_consent', '', 'p90_sec', r.timeToConsent.p90Sec);
  const t = r.tickets;
  for (const k of ['opened', 'active', 'resolved', 'resolvedWithoutSession', 'firstContactResolved', 'fcrRate', 'withoutOutcome', 'sessionsWithoutOutcome'] as const) add('tickets', '', snake(k), t[k]);
  add('tickets', '', 'fcr_user_tickets', t.fcrBySource.user.tickets);
  add('tickets', '', 'fcr_user_first_contact', t.fcrBySource.user.firstContact);
  add('tickets', '', 'fcr_technician_tickets', t.fcrBySource.technician.tickets);
  add('tickets', '', 'fcr_technician_first_contact', t.fcrBySource.technician.firstContact);
  add('tickets', '', 'fcr_combined_rate', t.fcrBySource.rate);
  for (const f of t.fcrBySource.tickets) add('fcr_source', f.ticketId, f.source, f.firstContact ? 1 : 0);
  for (const k of ['answers', 'solved', 'notYet', 'rated', 'average'] as const) add('csat', '', snake(k), r.csat[k]);
  for (const d of r.csat.distribution) add('csat', String(d.rating), 'ratings', d.count);
  add('tickets', '', 'mttr_count', t.mttr.count);
  add('tickets', '', 'mttr_mean_sec', t.mttr.meanSec);
  add('tickets', '', 'mttr_median_sec', t.mttr.medianSec);
  add('tickets', '', 'closed_resolved', t.closedAs.resolved);
  add('tickets', '', 'closed_follow_up', t.closedAs.followUp);
  add('tickets', '', 'closed_escalated', t.closedAs.escalated);
  add('documentation', '', 'emergency_without_documentation', r.emergencyWithoutDocumentation.count);
  for (const ticket of r.emergencyWithoutDocumentation.tickets) add('documentation', ticket, 'emergency_without_documentation', 1);
  add('repeat_incidents', '', 'count', r.repeatIncidents.count);
  add('repeat_incidents', '', 'rate', r.repeatIncidents.rate);
  for (const i of r.repeatIncidents.items) {
    add('repeat_incident', i.ticketId, 'device', i.deviceId);
    add('repeat_incident', i.ticketId, 'previous_ticket', i.previousTicketId);
    add('repeat_incident', i.ticketId, 'days_since_previous', i.daysSincePrevious);
  }
  for (const d of r.declinedScopes) add('declined_scopes', d.scope, 'count', d.count);
  for (const c of r.failureCauses.sessionEnds) add('session_ends', c.by, 'count', c.count);
  for (const c of r.failureCauses.declinedBy) add('declined_by', c.decidedBy, 'count', c.count);
  for (const c of r.failureCauses.common) add('failure_cause', c.cause, 'count', c.count);
  const f = r.fileTransfers;
  for (const k of ['total', 'bytes', 'allowed', 'refused', 'noResult'] as const) add('file_transfers', '', snake(k), f[k]);
  for (const c of f.refusedByCode) add('file_transfers_refused', c.code, 'count', c.count);
  for (const row of r.technicians) {
    for (const [k, v] of Object.entries(row)) if (k !== 'technicianId') add('technician', row.technicianId, snake(k), v as Cell);
  }
  r.daily.forEach((n, i) => add('daily', `${r.month}-${String(i + 1).padStart(2, '0')}`, 'requests', n));
  return rows.map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
