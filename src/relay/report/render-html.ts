// The report as one self-contained HTML file: inline CSS and SVG, no script,
// nothing fetched (the CSP meta allows only the page's own style block, by
// hash). Light and dark follow prefers-color-scheme. Every database string is
// escaped (html-escape.ts).
import { bytes, consentApartText, consentRatesText, DEFINITIONS, duration, LIST_LIMIT, monthTitle, moreText, NONE, OUTCOME_LABELS, percent, ticketFigureRows } from './format-figures.js';
import { escapeHtml as e } from './html-escape.js';
import { selfContainedPage } from './html-page.js';
import type { MonthlyReport } from './report-model.js';
import { barChart, dailyChart, type Bar } from './svg-charts.js';

const CSS = `
:root { color-scheme: light dark;
  --bg: #f6f6f3; --surface: #ffffff; --text: #1c1d21; --muted: #5d5f6a; --border: #dcdce2; --track: #ececf0;
  --accent: #2f5bd3; --good: #1d8048; --warn: #a86300; --bad: #c0392b; --grey: #8b8d98; --alt: #7a4cc2; }
@media (prefers-color-scheme: dark) { :root {
  --bg: #141518; --surface: #1d1f24; --text: #ececf1; --muted: #a7a9b6; --border: #33363e; --track: #2a2d34;
  --accent: #7ea3ff; --good: #4cc38a; --warn: #f0a94b; --bad: #ff7b72; --grey: #8e909c; --alt: #b994ff; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
main { max-width: 1060px; margin: 0 auto; padding: 32px 24px 48px; }
header h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
header p { margin: 0; color: var(--muted); }
h2 { font-size: 18px; margin: 0 0 12px; }
section { background: var(--surface); border: 1px solid var(--border); border-radius: 10px; padding: 20px 22px; margin-top: 20px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 12px; margin-top: 24px; }
.kpi { background: var(--surface); border: 1px solid var(--border); border-radius: 10px; padding: 14px 16px; }
.kpi .label { color: var(--muted); font-size: 13px; }
.kpi .value { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; margin-top: 2px; }
.kpi .sub { color: var(--muted); font-size: 13px; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 20px; }
@media (max-width: 760px) { .cols { grid-template-columns: 1fr; } }
.chart { width: 100%; height: auto; display: block; }
.chart .lbl { fill: var(--muted); font-size: 13px; font-family: inherit; }
.chart .lbl.strong { fill: var(--text); }
.chart .grid { stroke: var(--border); stroke-width: 1; }
.chart .track { fill: var(--track); }
.c-accent { fill: var(--accent); } .c-good { fill: var(--good); } .c-warn { fill: var(--warn); }
.c-bad { fill: var(--bad); } .c-muted { fill: var(--grey); } .c-alt { fill: var(--alt); }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 7px 9px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 13px; }
td.n, th.n { text-align: right; }
tr:last-child td { border-bottom: none; }
.scroll { overflow-x: auto; }
table.dense th, table.dense td { padding: 6px 7px; font-size: 14px; }
table.dense th { font-size: 12.5px; }
.empty { color: var(--muted); margin: 0; }
dl { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; }
dt { font-weight: 600; } dd { margin: 0; color: var(--muted); }
footer { color: var(--muted); font-size: 13px; margin-top: 24px; }
`;


function kpi(label: string, value: string, sub: string): string {
  return `<div class="kpi"><div class="label">${e(label)}</div><div class="value">${e(value)}</div><div class="sub">${e(sub)}</div></div>`;
}

function table(head: Array<[string, boolean]>, rows: Array<Array<string | number>>, caption: string, dense = false): string {
  const th = head.map(([h, n]) => `<th scope="col"${n ? ' class="n"' : ''}>${e(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${head[i]?.[1] ? ' class="n"' : ''}>${e(c)}</td>`).join('')}</tr>`).join('');
  return `<div class="scroll"><table${dense ? ' class="dense"' : ''}><caption hidden>${e(caption)}</caption><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** "1 Nov 2026 00:00 – 1 Dec 2026 00:00 (Europe/Berlin)": the window in the report's own zone. */
function windowText(from: string, to: string, tz: string): string {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return `${f.format(Date.parse(from))} – ${f.format(Date.parse(to))} (${tz})`;
}

const empty = (text: string) => `<p class="empty">${e(text)}</p>`;

export function renderHtml(r: MonthlyReport): string {
  const title = `Remote support report: ${monthTitle(r.month)}`;
  const o = r.outcomes;
  const t = r.tickets;
  const f = r.fileTransfers;
  const withSession = t.resolved - t.resolvedWithoutSession;
  const outcomeTone: Record<keyof typeof OUTCOME_LABELS, Bar['tone']> = {
    accepted: 'good', partial: 'accent', declined: 'bad', expired: 'warn', blocked: 'bad', noUserPresent: 'muted', cancelled: 'muted', agentOffline: 'muted', pending: 'muted', refusedByRelay: 'alt',
  };
  const outcomeBars = (Object.keys(OUTCOME_LABELS) as Array<keyof typeof OUTCOME_LABELS>).map((k) => ({ label: OUTCOME_LABELS[k], value: o[k], tone: outcomeTone[k] }));
  const dayLabel = (d: number) => `${r.month}-${String(d).padStart(2, '0')}`;

  const kpis = [
    kpi('Requests', String(r.requests), `${r.sessions} sessions started`),
    kpi('Attended : unattended : emergency', r.modes.ratio, `attended ${percent(r.modes.attendedShare)}`),
    kpi('Accept rate', percent(o.acceptRate), `partial ${percent(o.partialRate)} · declined ${percent(o.declineRate)} · expired ${percent(o.expireRate)}`),
    kpi('Consent rates', r.consentRates.base === 0 ? '—' : `${r.consentRates.shares[0]!.percent.toFixed(1)} %`, `${consentRatesText(r.consentRates)} · ${consentApartText(r.consentRates)}`),
    kpi('Time to consent', duration(r.timeToConsent.medianSec), `median · p90 ${duration(r.timeToConsent.p90Sec)} · ${r.timeToConsent.count} consents`),
    kpi('First-contact resolution', percent(t.fcrRate), `${t.firstContactResolved} of ${withSession} tickets resolved with a session · by the technician's close`),
    kpi('FCR, user\'s word first', percent(t.fcrBySource.rate), `user's answer: ${t.fcrBySource.user.firstContact} of ${t.fcrBySource.user.tickets} · technician's close: ${t.fcrBySource.technician.firstContact} of ${t.fcrBySource.technician.tickets}`),
    kpi('User satisfaction', r.csat.average === null ? '—' : `${r.csat.average.toFixed(1)} / 5`, `${r.csat.rated} ratings (${r.csat.distribution.map((d) => `${d.rating}: ${d.count}`).join(' · ')}) · ${r.csat.notYet} not yet solved`),
    kpi('MTTR', duration(t.mttr.meanSec), `mean · median ${duration(t.mttr.medianSec)} · ${t.mttr.count} tickets`),
    kpi('Repeat incidents', String(r.repeatIncidents.count), `${percent(r.repeatIncidents.rate)} of ${t.opened} tickets opened`),
    kpi('Without outcome', String(t.withoutOutcome), `tickets · ${t.sessionsWithoutOutcome} sessions`),
    kpi('Emergency without documentation', String(r.emergencyWithoutDocumentation.count), r.emergencyWithoutDocumentation.count === 0 ? 'every emergency session documented' : `tickets: ${r.emergencyWithoutDocumentation.tickets.join(', ')}`),
  ].join('');

  const share = (n: number) => `${n} (${percent(r.requests === 0 ? null : n / r.requests)})`;
  const sections = [
    `<section><h2>Requests per day</h2>${r.requests === 0 ? empty('No requests in this month.') : dailyChart(r.daily, `Requests per day, ${monthTitle(r.month)}`, dayLabel)}</section>`,
    `<section><h2>Requests by outcome</h2>${r.requests === 0 && o.refusedByRelay === 0 ? empty('No requests in this month.') : barChart(outcomeBars, 'Requests by outcome')}</section>`,
    `<div class="cols"><section><h2>Access mode</h2>${barChart(
      [
        { label: 'Attended', value: r.modes.attended, tone: 'accent', note: share(r.modes.attended) },
        { label: 'Unattended', value: r.modes.unattended, tone: 'alt', note: share(r.modes.unattended) },
        { label: 'Emergency', value: r.modes.emergency, tone: 'bad', note: share(r.modes.emergency) },
      ],
      'Requests by access mode',
      true,
    )}</section><section><h2>Most-declined scopes</h2>${
      r.declinedScopes.length === 0 ? empty('No scope was declined by a user.') : barChart(r.declinedScopes.map((d) => ({ label: d.scope, value: d.count, tone: 'bad' as const })), 'Scopes declined by users', true)
    }</section></div>`,
    `<div class="cols"><section><h2>Tickets</h2>${table(
      [['Figure', false], ['Tickets', true]],
      ticketFigureRows(t),
      'Tickets',
    )}</section><section><h2>File transfers</h2>${
      f.total === 0
        ? empty('No file transfers.')
        : barChart(
            [
              { label: 'Allowed', value: f.allowed, tone: 'good' },
              { label: 'Refused', value: f.refused, tone: 'bad' },
              { label: 'No result', value: f.noResult, tone: 'muted' },
            ],
            'File transfers by rule outcome',
            true,
          ) + `<p class="empty">${e(`${f.total} transfers, ${bytes(f.bytes)}${f.refusedByCode.length > 0 ? `; refused: ${f.refusedByCode.map((c) => `${c.code} ${c.count}`).join(', ')}` : ''}`)}</p>`
    }</section></div>`,
    `<section><h2>Repeat incidents (same device within 30 days)</h2>${
      r.repeatIncidents.items.length === 0
        ? empty('None.')
        : table([['Device', false], ['Ticket', false], ['Previous ticket', false], ['Days since', true]], r.repeatIncidents.items.slice(0, LIST_LIMIT).map((i) => [i.deviceId, i.ticketId, i.previousTicketId, i.daysSincePrevious]), 'Repeat incidents') +
          (moreText(r.repeatIncidents.items.length) === null ? '' : empty(moreText(r.repeatIncidents.items.length)!))
    }</section>`,
    `<section><h2>Common causes of failures</h2>${
      r.failureCauses.common.length === 0
        ? empty('None: every request became the session asked for.')
        : table([['Cause', false], ['Requests', true], ['Most affected tickets', false]], r.failureCauses.common.map((c) => [c.cause, c.count, c.topTickets.join(', ')]), 'Failed requests and broken-off sessions by cause')
    }</section>`,
    `<div class="cols"><section><h2>How sessions ended</h2>${
      r.failureCauses.sessionEnds.length === 0
        ? empty('No sessions.')
        : table([['Ended by', false], ['Sessions', true]], r.failureCauses.sessionEnds.map((c) => [c.by, c.count]), 'Sessions by how they ended')
    }</section><section><h2>Who declined</h2>${
      r.failureCauses.declinedBy.length === 0
        ? empty('No request was declined.')
        : table([['Declined by', false], ['Requests', true]], r.failureCauses.declinedBy.map((c) => [c.decidedBy, c.count]), 'Declined requests by who declined')
    }</section></div>`,
    `<section><h2>Technicians</h2>${
      r.technicians.length === 0
        ? empty('No requests this month.')
        : table(
            [['Technician', false], ['Requests', true], ['Sessions', true], ['Accepted', true], ['Partial', true], ['Declined', true], ['Expired', true], ['Refused', true], ['Median consent', true], ['Resolved', true], ['First contact', true], ['Files', true]],
            r.technicians.map((x) => [`${x.name} (${x.technicianId})`, x.requests, x.sessions, x.accepted, x.partial, x.declined, x.expired, x.refused, x.medianConsentSec === null ? NONE : duration(x.medianConsentSec), x.ticketsResolved, x.firstContactResolved, x.fileTransfers]),
            'Technicians',
            true,
          )
    }</section>`,
    `<section><h2>Definitions</h2><dl>${DEFINITIONS.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('')}</dl></section>`,
  ].join('\n');

  const body = [
    `<header><h1>${e(title)}</h1><p>${e(`${windowText(r.from, r.to, r.timeZone)} · generated ${r.generatedAt.slice(0, 16).replace('T', ' ')} UTC`)}</p></header>`,
    `<div class="kpis">${kpis}</div>`,
    sections,
    `<footer>${e(`Porchlight monthly report, format version ${r.version}. Figures come from the relay's central audit; evidence for a single ticket: porchlight evidence --ticket ID.`)}</footer>`,
  ].join('\n');
  return selfContainedPage(title, CSS, body);
}
