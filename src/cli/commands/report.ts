// `porchlight report --month YYYY-MM`: the monthly support report from the
// relay database (seed 003), as Markdown, HTML, CSV or JSON.
import { writeFileSync } from 'node:fs';
import { parseArgs } from '../parse-args.js';
import { DATABASE_FILE, defaultDataDir } from '../../relay/data-dir.js';
import { computeMonthlyReport } from '../../relay/report/compute.js';
import { recordsForMonth } from '../../relay/report/month-records.js';
import { monthWindow, MonthWindowError } from '../../relay/report/month-window.js';
import { renderCsv } from '../../relay/report/render-csv.js';
import { renderHtml } from '../../relay/report/render-html.js';
import { renderJson } from '../../relay/report/render-json.js';
import { renderMarkdown } from '../../relay/report/render-markdown.js';
import type { MonthlyReport } from '../../relay/report/report-model.js';
import { openExistingRecords } from '../../relay/relay-data.js';
import { UsageError, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

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
    const { values } = parseArgs({
      args: argv,
      options: { month: { type: 'string' }, format: { type: 'string', default: 'md' }, out: { type: 'string' }, data: { type: 'string' }, storage: { type: 'string' }, tz: { type: 'string', default: 'UTC' } },
      strict: true,
    });
    if (!values.month) throw new UsageError('--month YYYY-MM is required');
    const render = Object.hasOwn(RENDERERS, values.format) ? RENDERERS[values.format] : undefined;
    if (!render) throw new UsageError('--format must be md, html, csv or json');
    let window;
    try {
      window = monthWindow(values.month, values.tz);
    } catch (err) {
      if (err instanceof MonthWindowError) throw new UsageError(err.message);
      throw err;
    }
    const dir = values.data ?? defaultDataDir(ctx.env);
    const storage = openExistingRecords(dir, values.storage === undefined ? ctx.env : { ...ctx.env, PORCHLIGHT_RELAY_DATABASE_URL: values.storage });
    if (!storage) throw new UsageError(`${dir} is not a relay data dir (no ${DATABASE_FILE}; or set PORCHLIGHT_RELAY_DATABASE_URL)`);
    let text: string;
    try {
      const records = await recordsForMonth(storage, window);
      text = render(computeMonthlyReport(records, window, Date.now()));
    } finally {
      await storage.close();
    }
    if (values.out) {
      writeFileSync(values.out, text);
      ctx.stderr.write(`report for ${values.month} (${window.tz}) written to ${values.out}\n`);
    } else ctx.stdout.write(text);
    return EXIT.ok;
  },
};
export default command;
