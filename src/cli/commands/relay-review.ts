// `porchlight relay review --month YYYY-MM`: the monthly technician membership review (seed 003).
import { writeFileSync } from 'node:fs';
import { computeMembershipReview, type MembershipReview } from '../../relay/report/membership-review.js';
import { renderReviewCsv, renderReviewHtml, renderReviewJson, renderReviewMarkdown } from '../../relay/report/review-render.js';
import type { CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { openRelayDataDir } from '../relay-data-dir.js';
import { parseMonthFlags } from '../month-flags.js';

const RENDERERS: Record<string, (r: MembershipReview) => string> = { md: renderReviewMarkdown, html: renderReviewHtml, csv: renderReviewCsv, json: renderReviewJson };

export async function review(argv: string[], ctx: CommandContext): Promise<number> {
  const { month, render, window, out, data: dir, storage } = parseMonthFlags(argv, RENDERERS);
  const data = openRelayDataDir(dir, ctx.env, storage);
  let text: string;
  let flagged: number;
  try {
    const result = computeMembershipReview(await data.storage.listTechnicians(), await data.storage.queryAudit({}), window);
    flagged = result.technicians.filter((t) => t.flags.length > 0).length + (result.chain.ok ? 0 : 1);
    text = render(result);
  } finally {
    await data.storage.close();
  }
  if (out) writeFileSync(out, text);
  else ctx.stdout.write(text);
  ctx.stderr.write(`membership review ${month}: ${flagged} finding(s)${out ? `, written to ${out}` : ''}\n`);
  return EXIT.ok;
}
