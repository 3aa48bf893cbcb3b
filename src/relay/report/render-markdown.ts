// The report as Markdown: a one-page summary for a ticket or a wiki.
import { bytes, consentApartText, consentRatesText, DEFINITIONS, duration, LIST_LIMIT, monthTitle, moreText, NONE, OUTCOME_LABELS, percent, ticketFigureRows } from './format-figures.js';
import { DOCUMENTATION_LABELS } from './unattended-list.js';
import type { MonthlyReport } from './report-model.js';

/** Text from the database (names, ids) can't open Markdown syntax or break a table row. */
export function mdText(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/[\\`*_{}[\]()<>#+!|~]/g, (c) => `\\${c}`);
}

function table(head: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderMarkdown(r: MonthlyReport): string {
  const t = r.tickets;
  const o = r.outcomes;
  const out: string[] = [];
  out.push(`# Remote support report: ${monthTitle(r.month)}`, '');
  out.push(`Time zone ${mdText(r.timeZone)} (${r.from} to ${r.to}); generated ${r.generatedAt}.`, '');
  out.push('## Summary', '');
  out.push(
    table(
      ['Figure', 'Value'],
      [
        ['Requests', r.requests],
        ['Sessions', r.sessions],
        ['Attended : unattended : emergency', `${r.modes.ratio} (attended ${percent(r.modes.attendedShare)})`],
        ['Accept / partial / decline / expire rate', `${percent(o.acceptRate)} / ${percent(o.partialRate)} / ${percent(o.declineRate)} / ${percent(o.expireRate)}`],
        ['Consent rates (100 %)', `${consentRatesText(r.consentRates)}; ${consentApartText(r.consentRates)}`],
        ['Time to consent, median (p90)', `${duration(r.timeToConsent.medianSec)} (${duration(r.timeToConsent.p90Sec)}), ${r.timeToConsent.count} consents`],
        ['First-contact resolution', `${percent(t.fcrRate)} (${t.firstContactResolved} of ${t.resolved - t.resolvedWithoutSession})`],
        ['First-contact resolution, user\'s word first', `${percent(t.fcrBySource.rate)} (${t.fcrBySource.firstContact} of ${t.fcrBySource.tickets.length}): user's answer for ${t.fcrBySource.user.tickets} tickets (${t.fcrBySource.user.firstContact} solved), technician's close for ${t.fcrBySource.technician.tickets} (${t.fcrBySource.technician.firstContact} in one session)`],
        ['User satisfaction (CSAT)', `${r.csat.average === null ? '—' : `${r.csat.average.toFixed(1)} of 5`} from ${r.csat.rated} ratings (${r.csat.distribution.map((d) => `${d.rating}: ${d.count}`).join(', ')}); ${r.csat.answers} answers, ${r.csat.solved} solved, ${r.csat.notYet} not yet`],
        ['MTTR, mean (median)', `${duration(t.mttr.meanSec)} (${duration(t.mttr.medianSec)}), ${t.mttr.count} tickets`],
        ['Repeat incidents (30 days)', `${r.repeatIncidents.count} (${percent(r.repeatIncidents.rate)} of ${t.opened} opened)`],
        ['Emergency without documentation', undocumentedText(r)],
      ],
    ),
    '',
  );
  out.push('## Requests by outcome', '');
  out.push(table(['Outcome', 'Requests'], (Object.keys(OUTCOME_LABELS) as Array<keyof typeof OUTCOME_LABELS>).map((k) => [OUTCOME_LABELS[k], o[k]])), '');
  out.push('## Tickets', '');
  out.push(
    table(
      ['Figure', 'Tickets'],
      ticketFigureRows(t),
    ),
    '',
  );
  out.push('## Repeat incidents', '');
  out.push(r.repeatIncidents.items.length === 0 ? 'None.' : table(['Device', 'Ticket', 'Previous ticket', 'Days since'], r.repeatIncidents.items.slice(0, LIST_LIMIT).map((i) => [mdText(i.deviceId), mdText(i.ticketId), mdText(i.previousTicketId), i.daysSincePrevious])), '');
  const more = moreText(r.repeatIncidents.items.length);
  if (more) out.push(more, '');
  out.push('## Most-declined scopes', '');
  out.push(r.declinedScopes.length === 0 ? 'None.' : table(['Scope', 'Declined'], r.declinedScopes.map((d) => [d.scope, d.count])), '');
  const causes = r.failureCauses;
  out.push('## Common causes of failures', '');
  out.push(causes.common.length === 0 ? 'None: every request became the session asked for.' : table(['Cause', 'Requests', 'Most affected tickets'], causes.common.map((c) => [mdText(c.cause), c.count, c.topTickets.map(mdText).join(', ')])), '');
  out.push('## How sessions ended, who declined', '');
  out.push(causes.sessionEnds.length === 0 ? 'No sessions.' : table(['Session ended by', 'Sessions'], causes.sessionEnds.map((c) => [mdText(c.by), c.count])), '');
  if (causes.declinedBy.length > 0) out.push(table(['Declined by', 'Requests'], causes.declinedBy.map((c) => [mdText(c.decidedBy), c.count])), '');
  const f = r.fileTransfers;
  out.push('## File transfers', '');
  out.push(`${f.total} transfers (${bytes(f.bytes)}): ${f.allowed} allowed, ${f.refused} refused, ${f.noResult} without a result.`, '');
  if (f.refusedByCode.length > 0) out.push(table(['Refused because', 'Transfers'], f.refusedByCode.map((c) => [mdText(c.code), c.count])), '');
  out.push('## Technicians', '');
  out.push(
    r.technicians.length === 0
      ? 'No requests this month.'
      : table(
          ['Technician', 'Requests', 'Sessions', 'Accepted', 'Partial', 'Declined', 'Expired', 'Refused', 'Median consent', 'Resolved', 'First contact', 'Files'],
          r.technicians.map((x) => [`${mdText(x.name)} (${mdText(x.technicianId)})`, x.requests, x.sessions, x.accepted, x.partial, x.declined, x.expired, x.refused, x.medianConsentSec === null ? NONE : duration(x.medianConsentSec), x.ticketsResolved, x.firstContactResolved, x.fileTransfers]),
        ),
    '',
  );
  out.push('## Unattended and emergency sessions', '');
  out.push(
    r.unattended.length === 0
      ? 'None this month.'
      : table(
          ['Ticket', 'Mode', 'Technician', 'Outcome', 'Authority', 'Task', 'Targets', 'Documentation'],
          r.unattended.map((u) => [
            mdText(u.ticketId ?? NONE),
            u.mode,
            mdText(u.technicianId ?? NONE),
            mdText(u.outcome ?? 'pending'),
            mdText(u.approver !== null ? `${u.approver} (${u.reference ?? ''})` : u.justification !== null ? `${u.justification} (${u.incident ?? ''})` : NONE),
            mdText(u.taskId ?? NONE),
            mdText(u.targets.join(', ') || NONE),
            DOCUMENTATION_LABELS[u.documentation],
          ]),
        ),
    '',
  );
  out.push('## Definitions', '', ...DEFINITIONS.map(([k, v]) => `- **${k}**: ${v}`), '');
  return out.join('\n');
}

function undocumentedText(r: MonthlyReport): string {
  const e = r.emergencyWithoutDocumentation;
  return e.count === 0 ? '0' : `${e.count} (${e.tickets.map(mdText).join(', ')})`;
}
