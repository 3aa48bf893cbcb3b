// `porchlight audit verify [dir]` and `porchlight audit export --ticket T [--format jsonl|text] [--dir D]`.
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from '../parse-args.js';
import { AnchorFileError, anchoredDeviceIds, checkAgentAnchors, describeAnchorProblem, MIN_AGENT_RETENTION_DAYS, parseRelayRecordsJsonl, type AnchorCheck } from '../../protocol/audit-anchors.js';
import { entriesForTicket, formatEntries, readAuditEntries, type ExportFormat } from '../../core/audit/export.js';
import { describeAuditProblem, verifyAuditLog, type AuditVerifyResult } from '../../core/audit/verify.js';
import { defaultAuditDir, defaultDataDir } from '../../core/data-dir.js';
import { ticketId as ticketIdSchema } from '../../protocol/primitives.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { CliError, oneLine } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';

const HELP = `Usage:
  porchlight audit verify [dir] [--anchors FILE [--device ID]]
  porchlight audit export --ticket T [--format jsonl|text] [--dir dir]

verify  checks the hash chain of every audit file in dir (default: the agent's
        audit directory, or $PORCHLIGHT_AUDIT_DIR). Exit 0 when intact; 1 when a
        record was altered, removed or reordered (naming file, line, seq and
        reason); 3 when only the last line is torn by an interrupted write;
        4 when dir holds no audit files at all (a wrong path is not "intact");
        5 when dir does not exist or is not a directory.
        --anchors FILE (from \`porchlight relay audit --ticket T --format jsonl\`)
        also checks that every agent record the relay anchored for this device
        is still in the log with the same hash: a log cut short at its end
        exits 1 naming the missing seq (truncated / anchor-mismatch).
        The device is the one the relay records name (--device ID picks one
        when FILE covers several). Exit 1 also when no anchor was checked, or
        an anchor is missing below the log's first seq although the relay
        recorded it less than ${MIN_AGENT_RETENTION_DAYS} days ago (too recent for retention).
export  prints the records about one ticket (jsonl keeps each record's hash).
`;

/** verify's own exit code: nothing to check is neither intact nor tampered. */
const EXIT_NO_AUDIT_FILES = 4;
/** A path that is not a directory at all: a mistyped path, not an empty log. */
const EXIT_NO_SUCH_DIR = 5;

function requireDirectory(dir: string): void {
  let stat;
  try {
    stat = statSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new CliError('no-such-dir', `${dir} does not exist`, EXIT_NO_SUCH_DIR);
    throw new CliError('dir-unreadable', `cannot read ${dir}: ${code ?? (err as Error).message}`, EXIT.other);
  }
  if (!stat.isDirectory()) throw new CliError('not-a-directory', `${dir} is not a directory`, EXIT_NO_SUCH_DIR);
}

function auditDir(ctx: CommandContext, given?: string): string {
  return given ?? ctx.env.PORCHLIGHT_AUDIT_DIR ?? defaultAuditDir(defaultDataDir(process.platform, ctx.env));
}

const command: Command = {
  name: 'audit',
  summary: "verify or export the agent's audit log",
  async run(argv, ctx) {
    const [sub, ...rest] = argv;
    if (sub === undefined) throw new UsageError("expected a subcommand: 'verify' or 'export'");
    if (sub === '--help' || sub === '-h') {
      ctx.stdout.write(HELP);
      return EXIT.ok;
    }
    if (sub === 'verify') return verify(rest, ctx);
    if (sub === 'export') return exportTicket(rest, ctx);
    throw new UsageError(`unknown subcommand '${sub}'`);
  },
};

function verify(argv: string[], ctx: CommandContext): number {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' }, anchors: { type: 'string' }, device: { type: 'string' } } });
  if (values.help) {
    ctx.stdout.write(HELP);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError('verify takes at most one directory');
  if (values.device !== undefined && values.anchors === undefined) throw new UsageError('--device goes with --anchors');
  const dir = auditDir(ctx, positionals[0]);
  requireDirectory(dir);
  const result = verifyAuditLog(dir);
  if (result.files === 0) {
    ctx.stderr.write(`error: no-audit-files: no audit files in ${dir}\n`);
    return EXIT_NO_AUDIT_FILES;
  }
  const p = result.problem;
  if (p && p.kind !== 'torn-tail') {
    ctx.stderr.write(`TAMPERED: ${describeAuditProblem(p)}\n`);
    return EXIT.other;
  }
  if (values.anchors !== undefined) {
    const anchors = checkAnchorsFile(values.anchors, values.device, dir, result, ctx);
    if (anchors === undefined) return EXIT.other;
    if (!anchors.ok) {
      ctx.stderr.write(`TAMPERED: the log does not hold what the relay anchored:\n${anchors.problems.map((a) => `  ${describeAnchorProblem(a)}\n`).join('')}`);
      return EXIT.other;
    }
    // Nothing checked proves nothing: a wrong file or device must not read as a pass.
    if (anchors.checked === 0) {
      ctx.stderr.write(`error: no-anchors-checked: ${values.anchors} holds no anchor of device ${anchors.deviceId ?? '(none)'} that the log could be checked against (${anchors.pruned} older than retention)\n`);
      return EXIT.other;
    }
    const notes = [anchors.skipped > 0 ? `${anchors.skipped} of other devices skipped` : '', anchors.pruned > 0 ? `${anchors.pruned} pruned by retention` : ''].filter(Boolean);
    ctx.stdout.write(`anchors: ${anchors.checked} relay anchors of device ${anchors.deviceId} match${notes.length > 0 ? ` (${notes.join(', ')})` : ''}\n`);
  }
  if (p) {
    ctx.stderr.write(`torn tail: ${describeAuditProblem(p)}\n${result.records} records before it verify.\n`);
    return EXIT.partial;
  }
  ctx.stdout.write(`intact: ${result.records} records in ${result.files} files (last seq ${result.lastSeq}) in ${dir}\n`);
  return EXIT.ok;
}

/**
 * Only records the chain verified count (a torn last line is not a record).
 * Which anchors apply comes from the relay file alone, never from the log under check.
 */
function checkAnchorsFile(file: string, device: string | undefined, dir: string, chain: AuditVerifyResult, ctx: CommandContext): (AnchorCheck & { deviceId: string | null }) | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    ctx.stderr.write(`error: anchors-unreadable: ${oneLine((err as Error).message)}\n`);
    return undefined;
  }
  try {
    const anchors = parseRelayRecordsJsonl(text);
    const devices = anchoredDeviceIds(anchors);
    if (device === undefined && devices.length > 1) throw new UsageError(`${file} holds anchors of devices ${devices.join(', ')}: pick the log's with --device`);
    const deviceId = device ?? devices[0] ?? null;
    const records = readAuditEntries(dir).map((e) => e.record).filter((r) => r.seq <= chain.lastSeq);
    const prunableBefore = Date.now() - MIN_AGENT_RETENTION_DAYS * 86_400_000;
    const check = checkAgentAnchors(anchors, { hashes: new Map(records.map((r) => [r.seq, r.hash])), firstSeq: chain.lastSeq - chain.records + 1, lastSeq: chain.lastSeq }, { deviceId, prunableBefore });
    return { ...check, deviceId };
  } catch (err) {
    if (!(err instanceof AnchorFileError)) throw err;
    ctx.stderr.write(`error: ${err.code}: ${file}: ${oneLine(err.message)}\n`);
    return undefined;
  }
}

function exportTicket(argv: string[], ctx: CommandContext): number {
  const { values } = parseArgs({
    args: argv,
    options: { ticket: { type: 'string' }, format: { type: 'string', default: 'jsonl' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    ctx.stdout.write(HELP);
    return EXIT.ok;
  }
  if (!values.ticket) throw new UsageError('--ticket is required');
  if (!ticketIdSchema.safeParse(values.ticket).success) throw new UsageError(`--ticket ${JSON.stringify(values.ticket.slice(0, 80))} is not a ticket id`);
  if (values.format !== 'jsonl' && values.format !== 'text') throw new UsageError('--format must be jsonl or text');
  const dir = auditDir(ctx, values.dir);
  requireDirectory(dir);
  const check = verifyAuditLog(dir);
  ctx.stdout.write(formatEntries(entriesForTicket(dir, values.ticket), values.format as ExportFormat));
  if (!check.ok && check.problem?.kind !== 'torn-tail') {
    ctx.stderr.write(`warning: the audit log does not verify: ${describeAuditProblem(check.problem!)}\n`);
    return EXIT.other;
  }
  return EXIT.ok;
}

export default command;
