// `porchlight report` end to end on a relay data dir: every format carries the
// computed figures, and text from the database can't inject markup, Markdown
// or spreadsheet formulas.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture } from '../cli/capture.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { computeMonthlyReport } from '../../src/relay/report/compute.js';
import { monthWindow } from '../../src/relay/report/month-window.js';
import { csvCell, renderCsv } from '../../src/relay/report/render-csv.js';
import { renderHtml } from '../../src/relay/report/render-html.js';
import { mdText, renderMarkdown } from '../../src/relay/report/render-markdown.js';
import { openRelayData } from '../../src/relay/relay-data.js';
import { AuditScript, TECHS } from './audit-script.js';
import { scriptNovember } from './scripted-month.js';

let dir: string;
let relayDir: string;

async function report(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = capture();
  const code = await main(['report', '--data', relayDir, ...args], c.ctx);
  return { code, ...c.text() };
}

const HOSTILE = '<img src=x onerror=alert(1)>=cmd|"/c calc"';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'porchlight-report-'));
  relayDir = join(dir, 'relay');
  const data = openRelayData(relayDir, {});
  await scriptNovember(data.storage);
  // A technician whose display name is hostile text (names come from the relay admin).
  TECHS.mallory = { id: 'mallory', name: HOSTILE, group: 'helpdesk' };
  await new AuditScript(data.storage, 'm-').session({ at: '2026-11-21T10:00:00.000Z', ticket: 'INC-666', device: 'LAPTOP-6', tech: 'mallory', scopes: ['view'], decideAfter: 5, outcome: 'accepted' });
  delete TECHS.mallory;
  await data.storage.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('porchlight report', () => {
  it('prints JSON with the computed figures', async () => {
    const r = await report('--month', '2026-11', '--format', 'json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ version: 1, month: '2026-11', timeZone: 'UTC', requests: 16, sessions: 9, modes: { ratio: '14:1:1' } });
    expect(json.tickets.mttr).toEqual({ count: 5, meanSec: 259032, medianSec: 3600 });
  });

  it('writes Markdown with every section and escapes names', async () => {
    const r = await report('--month', '2026-11');
    expect(r.code).toBe(0);
    for (const heading of ['# Remote support report: November 2026', '## Summary', '## Requests by outcome', '## Tickets', '## Repeat incidents', '## Most-declined scopes', '## File transfers', '## Technicians', '## Definitions']) expect(r.stdout).toContain(heading);
    expect(r.stdout).toContain('| First-contact resolution | 50.0% (2 of 4) |');
    expect(r.stdout).toContain("| First-contact resolution, user's word first | 25.0% (1 of 4): user's answer for 2 tickets (0 solved), technician's close for 2 (1 in one session) |");
    expect(r.stdout).toContain('| User satisfaction (CSAT) | 3.3 of 5 from 3 ratings (1: 0, 2: 1, 3: 1, 4: 0, 5: 1); 3 answers, 1 solved, 2 not yet |');
    expect(r.stdout).toContain('| MTTR, mean (median) | 3 d (1 h), 5 tickets |');
    expect(r.stdout).toContain('| Time to consent, median (p90) | 30 s (1 min 30 s), 7 consents |');
    expect(r.stdout).toContain('| Emergency without documentation | 1 (INC-104) |');
    // The scripted month's 9 answerable requests plus mallory's accept: 6 of 10 accepted, 1 each of the rest.
    expect(r.stdout).toContain('| Consent rates (100 %) | Accepted 60.0 % (6) · Partly accepted 10.0 % (1) · Declined 10.0 % (1) · Expired (nobody answered) 10.0 % (1) · No user present 10.0 % (1); of 10 requests a user could answer; apart: 1 started on a manager approval, 1 emergency |');
    expect(r.stdout).toContain('| Technician | Requests | Sessions | Accepted | Partial | Declined | Expired | Refused |');
    expect(r.stdout).toMatch(/\| Alice Moreau \(alice\) \| 7 \| 3 \| 2 \| 1 \| 1 \| 1 \| 1 \|/);
    expect(r.stdout).toMatch(/^\| INC-104 \| emergency \|.*\| emergency without documentation \|$/m);
    expect(r.stdout).not.toMatch(/(?<!\\)<img/);
    expect(r.stdout).toContain('\\<img src=x onerror=alert\\(1\\)\\>');
    expect(mdText('a|b <x> *y*')).toBe('a\\|b \\<x\\> \\*y\\*');
  });

  it('writes CSV, one figure per row, with formulas defused', async () => {
    const r = await report('--month', '2026-11', '--format', 'csv');
    const lines = r.stdout.split('\r\n');
    expect(lines[0]).toBe('section,item,metric,value');
    expect(lines).toContain('tickets,,fcr_rate,0.5');
    expect(lines).toContain('repeat_incident,INC-103,days_since_previous,7');
    expect(lines).toContain('technician,alice,requests,7');
    expect(lines).toContain('technician,alice,refused,1');
    expect(lines).toContain('consent_rates,accepted,percent,60');
    expect(lines).toContain('consent_rates,no_user_present,count,1');
    expect(lines).toContain('consent_rates,by_approval,count,1');
    expect(lines).toContain('daily,2026-11-15,requests,2');
    expect(lines).toContain('documentation,,emergency_without_documentation,1');
    expect(lines).toContain('documentation,INC-104,emergency_without_documentation,1');
    expect(lines).toContain('technician,mallory,name,"<img src=x onerror=alert(1)>=cmd|""/c calc"""');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell(-2)).toBe('-2');
  });

  it('writes one self-contained HTML file with a strict CSP and escaped text', async () => {
    const out = join(dir, 'report.html');
    const r = await report('--month', '2026-11', '--format', 'html', '--out', out);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-[A-Za-z0-9+/=]+&#39;;/);
    expect(html).not.toMatch(/<script|<link|@import|url\(|https?:\/\/(?!www\.w3\.org)/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
    expect(html).toContain('Emergency without documentation</div><div class="value">1</div><div class="sub">tickets: INC-104</div>');
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(4);
  });

  it('keeps the one-page formats to 50 repeat incidents and says how many more the csv has', () => {
    const base = computeMonthlyReport([], monthWindow('2026-11'), 0);
    const items = Array.from({ length: 60 }, (_, i) => ({ deviceId: `DEV-${i}`, ticketId: `INC-${i}`, previousTicketId: `INC-P${i}`, daysSincePrevious: 1 }));
    const r = { ...base, repeatIncidents: { count: 60, rate: 1, items } };
    const md = renderMarkdown(r);
    expect(md).toContain('| DEV-49 |');
    expect(md).not.toContain('| DEV-50 |');
    expect(md).toContain('… and 10 more (every one is in the csv and json formats).');
    expect(renderHtml(r).match(/<td>DEV-\d+<\/td>/g)).toHaveLength(50);
    expect(renderCsv(r).match(/^repeat_incident,INC-\d+,device,/gm)).toHaveLength(60);
  });

  it('reports a month with no sessions, and refuses bad input', async () => {
    const r = await report('--month', '2027-02', '--format', 'json', '--tz', 'Europe/Berlin');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ requests: 0, timeZone: 'Europe/Berlin', from: '2027-01-31T23:00:00.000Z' });
    expect((await report('--month', '2026-13')).code).toBe(2);
    expect((await report('--month', '2026-11', '--tz', 'Mars/Olympus')).stderr).toContain('not a time zone');
    expect((await report('--month', '2026-11', '--format', 'pdf')).code).toBe(2);
    const c = capture();
    expect(await main(['report', '--month', '2026-11', '--data', join(dir, 'nothing-here')], c.ctx)).toBe(2);
  });
});
