// Seed 000: emergency sessions must be documented. The relay names this
// technician's undocumented emergency tickets in every session.pending; the CLI
// reminds at every request (stderr note, or a `--json` event) until they are closed
// with `session close --what --why --result`.
import { terminalText } from '../../protocol/text-policy.js';
import type { RequestOutput } from './request-output.js';

export function remindUndocumented(out: Pick<RequestOutput, 'note'>, tickets: readonly string[] | undefined): void {
  if (tickets === undefined || tickets.length === 0) return;
  const list = tickets.map((t) => terminalText(t)).join(', ');
  const text = `reminder: emergency session(s) not yet documented on ${list}: run porchlight session close --ticket ID --outcome ... --what ... --why ... --result ...`;
  out.note('emergency-undocumented', text, { tickets });
}
