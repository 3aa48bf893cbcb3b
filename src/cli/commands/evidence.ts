// `porchlight evidence --ticket ID --out FILE`: the per-ticket evidence bundle
// for an audit; `porchlight evidence verify FILE`: check one offline (issue 9).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from '../parse-args.js';
import { describeAuditProblem, verifyAuditLog } from '../../core/audit/verify.js';
import { ticketId as ticketIdSchema } from '../../protocol/primitives.js';
import { DATABASE_FILE, defaultDataDir } from '../../relay/data-dir.js';
import { agentEvidence } from '../agent-evidence.js';
import { buildEvidenceBundle, type AgentEvidence } from '../../relay/evidence/build-bundle.js';
import { EvidenceError } from '../../relay/evidence/evidence-error.js';
import { describeProblem, verifyEvidenceBundle } from '../../relay/evidence/verify-bundle.js';
import { openRelayDataDir } from '../relay-data-dir.js';
import { RELAY_KEY_FILE } from '../../relay/relay-key.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { oneLine } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { packageVersion } from '../version.js';

const HELP = `Usage:
  porchlight evidence --ticket ID --out FILE [--data DIR] [--storage postgres://...] [--agent-log DIR]
  porchlight evidence verify FILE [--relay-key PUBKEY|FINGERPRINT] [--json]

evidence  writes one JSON document with every central audit record of the
          ticket, the chain links that prove them against a checkpoint signed
          by the relay key (other tickets' records appear as hashes only),
          session summaries and file-transfer hashes. --agent-log adds the
          agent's own records of the ticket (its log must verify first);
          verify checks that every agent anchor the relay holds is in them.
          Run it where the relay's data dir is (--data, or $PORCHLIGHT_RELAY_DATA).
verify    checks a bundle offline and names every record that does not match
          (seq and reason). --relay-key pins the relay key you trust.
          Exit 0 when everything verifies, 1 otherwise.
`;

function readAgentLog(dir: string, ticket: string): AgentEvidence {
  const check = verifyAuditLog(dir);
  if (check.files === 0) throw new UsageError(`${dir} holds no agent audit files (audit-YYYY-MM-DD-NNNN.jsonl)`);
  if (!check.ok && check.problem?.kind !== 'torn-tail') throw new EvidenceError('agent-log-tampered', `the agent log does not verify: ${describeAuditProblem(check.problem!)}`);
  return agentEvidence(dir, ticket, check);
}

async function build(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ticket: { type: 'string' }, out: { type: 'string' }, data: { type: 'string' }, storage: { type: 'string' }, 'agent-log': { type: 'string' } }, strict: true });
  const storageUrl = values.storage ?? ctx.env.PORCHLIGHT_RELAY_DATABASE_URL;
  if (!values.ticket || !ticketIdSchema.safeParse(values.ticket).success) throw new UsageError('--ticket must be a ticket id');
  if (!values.out) throw new UsageError('--out FILE is required');
  if (existsSync(values.out)) throw new UsageError(`${values.out} exists; evidence files are never overwritten`);
  const dir = values.data ?? defaultDataDir(ctx.env);
  // Never create a relay key or database here: evidence comes from an existing relay.
  const hasRecords = Boolean(storageUrl) || existsSync(join(dir, DATABASE_FILE));
  if (!hasRecords || !existsSync(join(dir, RELAY_KEY_FILE))) throw new UsageError(`${dir} is not a relay data dir (no ${DATABASE_FILE} and ${RELAY_KEY_FILE})`);
  try {
    const agent = values['agent-log'] !== undefined ? readAgentLog(values['agent-log'], values.ticket) : undefined;
    const data = openRelayDataDir(dir, ctx.env, storageUrl);
    try {
      const bundle = await buildEvidenceBundle({ storage: data.storage, relayKey: data.relayKey, ticketId: values.ticket, nowMs: Date.now(), generator: `porchlight ${packageVersion()}`, ...(agent ? { agent } : {}) });
      writeFileSync(values.out, `${JSON.stringify(bundle, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
      // A disagreement between the agent's log and the relay's is itself evidence: write it, but say so.
      const check = verifyEvidenceBundle(bundle);
      if (!check.ok) {
        ctx.stderr.write(`written to ${values.out}, but it does not verify:\n${check.problems.map((p) => `  ${describeProblem(p)}\n`).join('')}`);
        return EXIT.other;
      }
      ctx.stdout.write(
        `evidence for ${values.ticket}: ${bundle.relay.records.length} relay records, ${countRequests(bundle.sessions)}, ${bundle.fileTransfers.length} file transfer(s)` +
          `${agent ? `, ${agent.records.length} agent records` : ''}\n` +
          `proven by checkpoint seq ${bundle.relay.checkpoint.seq} (${bundle.relay.checkpoint.at}) signed by relay key ${bundle.relay.fingerprint}\n` +
          `${bundle.documentation?.status === 'emergency-without-documentation' ? 'emergency without documentation: close the ticket with session close --what --why --result\n' : ''}` +
          `written to ${values.out}\n`,
      );
      return EXIT.ok;
    } finally {
      await data.storage.close();
    }
  } catch (err) {
    if (!(err instanceof EvidenceError)) throw err;
    ctx.stderr.write(`error: ${err.code}: ${oneLine(err.message)}\n`);
    return EXIT.other;
  }
}

/** `sessions` holds one entry per request; only those that started are sessions (as `report` counts them). */
function countRequests(requests: readonly unknown[]): string {
  const started = requests.filter((r) => (r as { startedAt?: unknown }).startedAt != null).length;
  return `${requests.length} request(s), ${started} became a session`;
}

function verify(argv: string[], ctx: CommandContext): number {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'relay-key': { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true });
  if (positionals.length !== 1) throw new UsageError('verify takes one bundle file');
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(positionals[0]!, 'utf8'));
  } catch (err) {
    ctx.stderr.write(`error: bundle-unreadable: ${oneLine((err as Error).message)}\n`);
    return EXIT.other;
  }
  const result = verifyEvidenceBundle(input, values['relay-key']);
  if (values.json) ctx.stdout.write(`${JSON.stringify(result)}\n`);
  else if (result.ok) {
    ctx.stdout.write(
      `VERIFIED: ticket ${result.ticketId}: ${result.records} relay records chain to checkpoint seq ${result.checkpoint!.seq} (${result.checkpoint!.at}) ` +
        `signed by relay key ${result.fingerprint}${values['relay-key'] ? ' (pinned)' : ' (not pinned: compare the fingerprint with your relay\'s)'}` +
        `${result.agentRecords > 0 ? `; ${result.agentRecords} agent records intact` : ''}\n`,
    );
  } else {
    ctx.stderr.write(`NOT VERIFIED: ${result.problems.length} problem(s)\n${result.problems.map((p) => `  ${describeProblem(p)}\n`).join('')}`);
  }
  return result.ok ? EXIT.ok : EXIT.other;
}

const command: Command = {
  name: 'evidence',
  summary: 'build or verify a per-ticket evidence bundle',
  async run(argv, ctx) {
    if (argv.length === 0) throw new UsageError("expected 'verify FILE' or --ticket ID --out FILE");
    if (argv.includes('--help') || argv.includes('-h')) {
      ctx.stdout.write(HELP);
      return EXIT.ok;
    }
    if (argv[0] === 'verify') return verify(argv.slice(1), ctx);
    return build(argv, ctx);
  },
};
export default command;
