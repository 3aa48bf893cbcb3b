// `porchlight relay review --month YYYY-MM`: the monthly technician membership review (seed 003).
import { writeFileSync } from 'node:fs';
import { parseArgs } from '../parse-args.js';
import { computeMembershipReview, type MembershipReview } from '../../relay/report/membership-review.js';
import { monthWindow, MonthWindowError } from '../../relay/report/month-window.js';
import { renderReviewCsv, renderReviewHtml, renderReviewJson, renderReviewMarkdown } from '../../relay/report/review-render.js';
import { UsageError, type CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { openRelayDataDir } from '../relay-data-dir.js';

const RENDERERS: Record<string, (r: MembershipReview) => string> = { md: renderReviewMarkdown, html: renderReviewHtml, csv: renderReviewCsv, json: renderReviewJson };

export async function review(argv: string[], ctx: CommandContext): Promise<number> {
  const options = { month: { type: 'string' }, format: { type: 'string', default: 'md' }, out: { type: 'string' }, tz: { type: 'string', default: 'UTC' }, data: { type: 'string' }, storage: { type: 'string' } } as const;
  const { values } = parseArgs({ args: argv, options, strict: true });
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
  const data = openRelayDataDir(values.data, ctx.env, values.storage);
  let text: string;
  let flagged: number;
  try {
    const result = computeMembershipReview(await data.storage.listTechnicians(), await data.storage.queryAudit({}), window);
    flagged = result.technicians.filter((t) => t.flags.length > 0).length + (result.chain.ok ? 0 : 1);
    text = render(result);
  } finally {
    await data.storage.close();
  }
  if (values.out) writeFileSync(values.out, text);
  else ctx.stdout.write(text);
  ctx.stderr.write(`membership review ${values.month}: ${flagged} finding(s)${values.out ? `, written to ${values.out}` : ''}\n`);
  return EXIT.ok;
}
