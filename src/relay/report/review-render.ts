// The membership review as Markdown, HTML (self-contained, strict CSP), CSV or JSON.
import { csvCell } from './render-csv.js';
import { escapeHtml } from './html-escape.js';
import { selfContainedPage } from './html-page.js';
import type { MembershipReview, ReviewRow } from './membership-review.js';

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : 'never');
const yes = (b: boolean) => (b ? 'yes' : 'no');

const COLUMNS: Array<[string, (r: ReviewRow) => string]> = [
  ['technician', (r) => `${r.id} (${r.name})`],
  ['group', (r) => r.group],
  ['scopes', (r) => r.scopes.join(', ')],
  ['unattended', (r) => yes(r.unattended)],
  ['MFA', (r) => (r.mfa ? 'on' : 'off')],
  ['state', (r) => r.state],
  ['token expires', (r) => day(r.tokenExpiresAt)],
  ['last sign-in', (r) => day(r.lastSignInAt)],
  ['sessions', (r) => String(r.sessionsThisMonth)],
  ['failed sign-ins', (r) => String(r.failedSignInsThisMonth)],
  ['flags', (r) => r.flags.join(', ') || '-'],
];

function chainLine(r: MembershipReview): string {
  return r.chain.ok ? 'The central audit chain verifies.' : `THE CENTRAL AUDIT CHAIN IS BROKEN at seq ${r.chain.seq} (${r.chain.problem}): records were changed outside Porchlight.`;
}

const md = (s: string) => s.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`);

export function renderReviewMarkdown(r: MembershipReview): string {
  const lines = [`# Technician membership review ${r.month} (${r.timeZone})`, '', chainLine(r), '', '## Technicians', ''];
  lines.push(`| ${COLUMNS.map(([h]) => h).join(' | ')} |`, `| ${COLUMNS.map(() => '---').join(' | ')} |`);
  for (const row of r.technicians) lines.push(`| ${COLUMNS.map(([, cell]) => md(cell(row))).join(' | ')} |`);
  lines.push('', `## Changes this month (${r.changes.length})`, '');
  if (r.changes.length === 0) lines.push('No account changes this month.');
  for (const c of r.changes) lines.push(`- ${c.at} ${md(c.action)} **${md(c.target)}** by ${md(c.by)}${c.as ? ` as ${md(c.as)}` : ''}${c.change ? `: ${md(c.change)}` : ''}`);
  return `${lines.join('\n')}\n`;
}

export function renderReviewCsv(r: MembershipReview): string {
  const rows = [['technician', 'name', 'group', 'scopes', 'unattended', 'mfa', 'state', 'token_expires_at', 'last_sign_in_at', 'sessions', 'failed_sign_ins', 'flags']];
  for (const t of r.technicians) {
    rows.push([t.id, t.name, t.group, t.scopes.join(' '), yes(t.unattended), t.mfa ? 'on' : 'off', t.state, t.tokenExpiresAt ?? '', t.lastSignInAt ?? '', String(t.sessionsThisMonth), String(t.failedSignInsThisMonth), t.flags.join(' ')]);
  }
  return `${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

export function renderReviewJson(r: MembershipReview): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

const CSS = `body{font:15px/1.5 system-ui,sans-serif;margin:2rem;color:#1b1f24;background:#fff}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
.flag{color:#9a3412;font-weight:600}.broken{color:#b91c1c;font-weight:700}
@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}th,td{border-color:#30363d}.flag{color:#fdba74}.broken{color:#fca5a5}}`;

export function renderReviewHtml(r: MembershipReview): string {
  const head = `<tr>${COLUMNS.map(([h]) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = r.technicians
    .map((row) => `<tr>${COLUMNS.map(([h, cell]) => `<td${h === 'flags' && row.flags.length > 0 ? ' class="flag"' : ''}>${escapeHtml(cell(row))}</td>`).join('')}</tr>`)
    .join('\n');
  const changes = r.changes.length === 0 ? '<p>No account changes this month.</p>' : `<ul>${r.changes.map((c) => `<li>${escapeHtml(`${c.at} ${c.action} ${c.target} by ${c.by}${c.as ? ` as ${c.as}` : ''}${c.change ? `: ${c.change}` : ''}`)}</li>`).join('')}</ul>`;
  const html = `<h1>${escapeHtml(`Technician membership review ${r.month} (${r.timeZone})`)}</h1>
<p${r.chain.ok ? '' : ' class="broken"'}>${escapeHtml(chainLine(r))}</p>
<h2>Technicians</h2><table>${head}\n${body}</table>
<h2>${escapeHtml(`Changes this month (${r.changes.length})`)}</h2>${changes}`;
  return selfContainedPage(`Membership review ${r.month}`, CSS, html);
}
