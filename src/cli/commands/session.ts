// `porchlight session close`: record how a ticket's support session ended
// (resolved | follow-up | escalated) in the relay's central audit (issue 9).
import { parseArgs } from '../parse-args.js';
import { describeIssues, newMessageId } from '../../protocol/frame.js';
import { techCloseSchema, type CloseDocumentation, type Message } from '../../protocol/messages.js';
import { OTP_OPTION, signInTechnician } from '../technician/sign-in.js';
import { exitForError } from '../technician/technician-exit.js';
import { UsageError, type Command } from '../command.js';
import { readCaFile } from '../read-ca-file.js';
import { EXIT } from '../exit-codes.js';
import { oneLine } from '../cli-error.js';
import { requireTechnicianToken } from '../technician-token.js';
import { requireRelayUrls } from '../transport-security.js';

const HELP = `Usage: porchlight session close --relay URL [--token T] --ticket ID
                                --outcome resolved|follow-up|escalated [--session ID] [--note TEXT]
                                [--what TEXT --why TEXT --result TEXT]
                                [--ca FILE] [--otp CODE] [--insecure]

Records the ticket's outcome in the relay's central audit (used by the monthly
report: first-contact resolution, MTTR). Only a technician who requested a
session on the ticket may close it. The token may come from PORCHLIGHT_TOKEN.
--relay must be wss://, or ws:// to a loopback relay; --insecure allows ws://
to another host (the token then travels in clear text). Several relay instances,
separated by commas, are tried in order.
A ticket that had an emergency session closes only with --what (what you did),
--why (why you did it) and --result (how it turned out): the relay refuses the
close otherwise (documentation-required, exit 6), and until then the ticket is
listed as "emergency without documentation" in the monthly report and its
evidence bundle, and every \`porchlight request\` reminds you of it.
--ca FILE trusts a private CA (PEM) for a wss:// relay, on top of the system roots.
`;

/** --what, --why and --result go together: one alone would be a half-documented emergency. */
function documentationOf(values: { what?: string; why?: string; result?: string }): CloseDocumentation | undefined {
  const { what, why, result } = values;
  if (what === undefined && why === undefined && result === undefined) return undefined;
  if (what === undefined || why === undefined || result === undefined) throw new UsageError('--what, --why and --result go together');
  return { what, why, result };
}

const command: Command = {
  name: 'session',
  summary: 'close a ticket\'s session with an outcome',
  help: HELP,
  async run(argv, ctx) {
    const [sub, ...rest] = argv;
    if (sub !== 'close') throw new UsageError("expected 'close'");
    const { values } = parseArgs({
      args: rest,
      options: { relay: { type: 'string' }, token: { type: 'string' }, ticket: { type: 'string' }, outcome: { type: 'string' }, session: { type: 'string' }, note: { type: 'string' }, what: { type: 'string' }, why: { type: 'string' }, result: { type: 'string' }, ca: { type: 'string' }, insecure: { type: 'boolean', default: false }, ...OTP_OPTION },
      strict: true,
    });
    const documentation = documentationOf(values);
    const relays = requireRelayUrls(values.relay, values.insecure);
    const token = requireTechnicianToken(values.token, ctx.env);
    const parsed = techCloseSchema.safeParse({
      v: 1,
      type: 'tech.close',
      id: newMessageId(),
      ticketId: values.ticket,
      outcome: values.outcome,
      ...(values.session !== undefined ? { sessionId: values.session } : {}),
      ...(values.note !== undefined ? { note: values.note } : {}),
      ...(documentation ? { documentation } : {}),
    });
    if (!parsed.success) throw new UsageError(describeIssues('session close', parsed.error));
    const msg: Message<'tech.close'> = parsed.data;
    const ca = values.ca === undefined ? undefined : readCaFile(values.ca, relays[0]);
    const connected = await signInTechnician(ctx, relays, token, ca === undefined ? {} : { ca }, values.otp);
    if (!connected.ok) {
      ctx.stderr.write(`error: ${connected.code}: ${oneLine(connected.detail)}\n`);
      return exitForError(connected.code);
    }
    const client = connected.client;
    try {
      const answer = client.waitFor((m) => (m.type === 'tech.closed' || (m.type === 'error' && m.re === msg.id) ? m : undefined));
      client.send(msg);
      const m = await answer;
      if (m?.type === 'tech.closed') {
        ctx.stdout.write(`ticket ${msg.ticketId}: outcome ${msg.outcome} recorded\n`);
        return EXIT.ok;
      }
      ctx.stderr.write(`error: ${m?.type === 'error' ? `${m.code}: ${oneLine(m.detail ?? '')}` : 'connection-lost: the relay closed the connection'}\n`);
      return m?.type === 'error' ? (m.code === 'unknown-session' ? EXIT.blocked : exitForError(m.code)) : EXIT.other;
    } finally {
      await client.close();
    }
  },
};
export default command;
