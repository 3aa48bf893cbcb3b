// `porchlight report --month YYYY-MM`: the monthly support report from the
// relay database (seed 003), as Markdown, HTML, CSV or JSON.
import { writeFileSync } from 'node:fs';
import { DATABASE_FILE, defaultDataDir } from '../../relay/data-dir.js';
import { computeMonthlyReport } from '../../relay/report/compute.js';
import { recordsForMonth } from '../../relay/report/month-records.js';
import { renderCsv } from '../../relay/report/render-csv.js';
import { renderHtml } from '../../relay/report/render-html.js';
import { renderJson } from '../../relay/report/render-json.js';
import { renderMarkdown } from '../../relay/report/render-markdown.js';
import type { MonthlyReport } from '../../relay/report/report-model.js';
import { openExistingRecords } from '../../relay/relay-data.js';
import { UsageError, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { parseMonthFlags } from '../month-flags.js';

const HELP = `Usage: porchlight report --month YYYY-MM [--format md|html|csv|json] [--out FILE]
                         [--data DIR] [--storage postgres://...] [--tz ZONE]

The monthly support report from the relay's central audit: requests and
sessions, attended:unattended:emergency, accept/partial/decline/expire rates,
time to consent (median, p90), first-contact resolution, MTTR, repeat
incidents, most-declined scopes, file transfers by rule outcome, and a table
per technician. The month is taken in UTC unless --tz names a time zone
(e.g. Europe/Berlin). HTML is one self-contained file (no network).

  --format  md (default), html, csv or json
  --out     write to FILE instead of standard output
  --data    the relay's data dir (default: $PORCHLIGHT_RELAY_DATA or the OS app-data dir)
  --storage the relay's PostgreSQL database (default: $PORCHLIGHT_RELAY_DATABASE_URL; else SQLite in --data)
`;

const RENDERERS: Record<string, (r: MonthlyReport) => string> = { md: renderMarkdown, html: renderHtml, csv: renderCsv, json: renderJson };

const command: Command = {
  name: 'report',
  summary: 'monthly support report from the relay database',
  help: HELP,
  async run(argv, ctx) {
    const { month, render, window, out, data, storage: databaseUrl } = parseMonthFlags(argv, RENDERERS);
    const dir = data ?? defaultDataDir(ctx.env);
    const storage = openExistingRecords(dir, databaseUrl === undefined ? ctx.env : { ...ctx.env, PORCHLIGHT_RELAY_DATABASE_URL: databaseUrl });
    if (!storage) throw new UsageError(`${dir} is not a relay data dir (no ${DATABASE_FILE}; or set PORCHLIGHT_RELAY_DATABASE_URL)`);
    let text: string;
    try {
      const records = await recordsForMonth(storage, window);
      text = render(computeMonthlyReport(records, window, Date.now()));
    } finally {
      await storage.close();
    }
    if (out) {
      writeFileSync(out, text);
      ctx.stderr.write(`report for ${month} (${window.tz}) written to ${out}\n`);
    } else ctx.stdout.write(text);
    return EXIT.ok;
  },
};
export default command;
