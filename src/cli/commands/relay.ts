// `porchlight relay`: run the reference relay, and its admin subcommands
// (add-technician, enroll-device, audit).
import { parseArgs } from '../parse-args.js';
import { publicKey as publicKeySchema, ticketId as ticketIdSchema } from '../../protocol/primitives.js';
import { keyFingerprint } from '../../protocol/signing.js';
import { terminalText } from '../../protocol/text-policy.js';
import { auditLine } from '../../relay/audit/audit-text.js';
import { checkpointHead } from '../../relay/audit/checkpoint.js';
import { describeDatabaseUrl } from '../../relay/storage/database-url.js';
import { joinBus, type RelayBusHandle } from '../relay-bus.js';
import { migrate } from './relay-migrate.js';
import { openRelayDataDir } from '../relay-data-dir.js';
import { applyRetention, parseRetentionDays, RETENTION_INTERVAL_MS } from '../../relay/retention.js';
import { startRelay } from '../../relay/server.js';
import { raiseOpenFilesLimit } from '../../relay/open-files-limit.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { enrollDevice } from './enroll-device.js';
import { addTechnician } from './relay-add-technician.js';
import { technicians, TECHNICIANS_HELP } from './relay-technicians.js';
import { review } from './relay-review.js';
import { checkListener } from '../transport-security.js';
import { CliError } from '../cli-error.js';
import { readInputFile } from '../read-input-file.js';
import { EXIT } from '../exit-codes.js';
import { parseRelayLimitFlags, RELAY_LIMIT_HELP, RELAY_LIMIT_OPTIONS } from '../relay-limit-flags.js';
import { parseRelayMfaFlags, RELAY_MFA_HELP, RELAY_MFA_OPTIONS } from '../relay-mfa-flags.js';
import { parseRelayStreamFlags, RELAY_STREAM_HELP, RELAY_STREAM_OPTIONS } from '../relay-stream-flags.js';
import { startAuditStreams, type AuditStreams } from '../../relay/stream/audit-streams.js';

const CHECKPOINT_INTERVAL_MS = 5 * 60_000;

const HELP = `Usage:
  porchlight relay [--host H] [--port P] [--data DIR] [--cert FILE --key FILE] [--insecure]
                   [--approvals-key PUBKEY] [--retention-days N] [--storage postgres://...]
                   [--bus redis://host:port [--instance-id ID] [--bus-alive-ms MS]]
                   [--hello-timeout-ms MS] [--max-unauthenticated-per-address N] [--technician-reserve N]
                   [--require-mfa all|unattended|off] [--require-mfa-groups G,H]
                   [--syslog tcp+tls://host:port [--syslog-ca FILE]] [--audit-jsonl FILE]
                   [--alert-webhook URL --alert-webhook-secret-file FILE]
  porchlight relay add-technician --name ID --group GROUP [--display "Full Name"] [--org ORG]
                   [--scopes view,control,admin,file-transfer] [--unattended] [--token-days N]
                   [--temporary --hours N] [--as NAME] [--data DIR]
  porchlight relay enroll-device --device ID [--hours N] [--rekey] [--data DIR]
  porchlight relay audit --ticket ID | --admin [--since DATE] [--format jsonl|text] [--data DIR] [--storage ...]
${TECHNICIANS_HELP}
  porchlight relay review --month YYYY-MM [--format md|html|csv|json] [--out FILE] [--tz ZONE]
  porchlight relay migrate --from-sqlite FILE --to postgres://...

Runs the reference relay: agents and technicians connect over WebSocket; the
technician console is served at the same address (http(s)://host:port/).

  --host            address to listen on (default 127.0.0.1)
  --port            port (default 7443; 0 picks a free one; the bound port is printed)
  --data            data dir for the relay key and database
                    (default: an OS app-data dir, or $PORCHLIGHT_RELAY_DATA)
  --storage         keep records in PostgreSQL instead of the data dir's SQLite file
                    (or $PORCHLIGHT_RELAY_DATABASE_URL, which the admin commands also read)
  --bus             route between relay instances over Redis (redis:// or rediss://); every
                    instance needs the same --data key and --storage database
  --instance-id     this instance's name on the bus (default: host name and a random suffix)
  --bus-alive-ms    an instance silent this long counts as dead, its devices as offline and
                    their sessions as ended (250..600000, default 10000)
  --cert, --key     PEM files: serve wss:// and https://; required for a non-loopback --host
  --insecure        allow a non-loopback --host without TLS (tokens travel in clear text)
  --approvals-key   pinned IT approvals public key: the relay also checks approval signatures
  --retention-days  keep central audit records this many days (>= 30, default 365)
${RELAY_LIMIT_HELP}
${RELAY_MFA_HELP}
${RELAY_STREAM_HELP}

add-technician prints the technician's API token once (only its hash is stored).
enroll-device prints a one-time token the agent uses on first connect (default valid 24 h).
  An enrolled device's key is replaced only with --rekey (recorded in the central audit);
  the old key's connection is then closed with code 4003 and the reason.
add-technician: the token expires after --token-days (default 90); --temporary accounts disable
  themselves after --hours. technicians changes accounts; a running relay withdraws access within 1 s.
review: the monthly membership review: every technician (rights, MFA, token, use) with flags,
  every account change of the month with who made it, and whether the audit chain verifies.
audit prints the central audit records of one ticket, or with --admin every account and enrollment change.
migrate copies an embedded relay's database into an empty PostgreSQL one and verifies the copy.
`;

async function serve(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '7443' },
      data: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      'approvals-key': { type: 'string' },
      'retention-days': { type: 'string' },
      insecure: { type: 'boolean', default: false },
      storage: { type: 'string' },
      bus: { type: 'string' },
      'instance-id': { type: 'string' },
      'bus-alive-ms': { type: 'string' },
      ...RELAY_LIMIT_OPTIONS,
      ...RELAY_MFA_OPTIONS,
      ...RELAY_STREAM_OPTIONS,
    },
    strict: true,
  });
  const limits = parseRelayLimitFlags(values);
  const mfa = parseRelayMfaFlags(values);
  const streamConfig = parseRelayStreamFlags(values);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535');
  if (Boolean(values.cert) !== Boolean(values.key)) throw new UsageError('--cert and --key go together');
  const warning = checkListener(values.host, Boolean(values.cert), values.insecure);
  if (warning) ctx.stderr.write(`\n${warning}\n\n`);
  const approvalsKey = values['approvals-key'];
  if (approvalsKey !== undefined && !publicKeySchema.safeParse(approvalsKey).success) throw new UsageError('--approvals-key is not a base64url Ed25519 public key');
  let retentionDays: number;
  try {
    retentionDays = parseRetentionDays(values['retention-days']);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const tls = values.cert && values.key ? { cert: readInputFile('--cert', values.cert), key: readInputFile('--key', values.key) } : undefined;
  const data = openRelayDataDir(values.data, ctx.env, values.storage);
  // The relay's log quotes what peers sent (error messages, ids): in the text policy's terminal form.
  const log = (line: string) => ctx.stderr.write(`${terminalText(line)}\n`);
  try {
    await data.storage.ready();
  } catch (err) {
    await data.storage.close();
    throw err;
  }
  let bus: RelayBusHandle | undefined;
  let relay;
  let streams: AuditStreams | undefined;
  try {
    streams = await startAuditStreams(data.storage, data.dir, streamConfig, log);
    bus = values.bus === undefined ? undefined : await joinBus(values.bus, { instanceId: values['instance-id'], aliveMs: values['bus-alive-ms'] }, log);
    const directory = bus ? { directory: bus.directory } : {};
    // Every socket is a descriptor: the soft limit up to the hard one, both logged by startRelay.
    const openFiles = raiseOpenFilesLimit(log);
    relay = await startRelay({ openFiles, storage: streams.storage, relayKey: data.relayKey, host: values.host, port, ...(tls ? { tls } : {}), ...(approvalsKey ? { approvalsPublicKey: approvalsKey } : {}), ...directory, ...limits, mfa, log });
  } catch (err) {
    await streams?.stop();
    await bus?.close();
    await data.storage.close();
    throw explainListenFailure(err, values.host, port);
  }
  const pruned = await applyRetention(data.storage, retentionDays, Date.now());
  const retention = setInterval(() => void applyRetention(data.storage, retentionDays, Date.now()).catch(() => undefined), RETENTION_INTERVAL_MS);
  retention.unref();
  // A signed checkpoint of the audit chain head every 5 minutes (and at shutdown) anchors evidence bundles.
  const checkpoints = setInterval(() => void checkpointHead(data.storage, data.relayKey, Date.now()).catch(() => undefined), CHECKPOINT_INTERVAL_MS);
  checkpoints.unref();
  ctx.stdout.write(
    [
      `relay key ${data.keyCreated ? 'created' : 'loaded'}: ${data.dir}`,
      `records: ${data.databaseUrl ? describeDatabaseUrl(data.databaseUrl) : 'SQLite in the data dir'}`,
      ...(bus ? [`bus: ${bus.description}`] : []),
      `relay public key: ${data.relayKey.publicKey}`,
      `relay key fingerprint: ${keyFingerprint(data.relayKey.publicKey)}`,
      `second factor: ${mfa.require === 'all' ? 'every sign-in' : mfa.require === 'unattended' ? 'unattended and emergency requests' : 'off'}${mfa.groups.length > 0 ? ` (always for ${mfa.groups.join(', ')})` : ''}`,
      `audit retention: ${retentionDays} days${pruned > 0 ? ` (${pruned} old records removed)` : ''}`,
      ...streams.describe(),
      `relay listening on ${relay.url} (port ${relay.port})`,
      `technician console: ${relay.url.replace(/^ws/, 'http')}/`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearInterval(retention);
  clearInterval(checkpoints);
  await relay.close();
  await bus?.close();
  // After the relay's last records (session ends at shutdown), so the streams carry them too.
  await streams.stop();
  await checkpointHead(data.storage, data.relayKey, Date.now());
  await data.storage.close();
  ctx.stdout.write('relay stopped\n');
  return EXIT.ok;
}

/** TLS material that does not parse is the caller's mistake (usage); a port in use is named as such. */
function explainListenFailure(err: unknown, host: string, port: number): Error {
  const code = String((err as NodeJS.ErrnoException).code ?? '');
  const message = (err as Error).message;
  if (code.startsWith('ERR_OSSL') || /PEM|certificate|private key/i.test(message)) return new UsageError(`--cert/--key: not a usable PEM certificate and key (${message})`);
  if (code.startsWith('E') && /^E[A-Z]+$/.test(code)) return new CliError('listen-failed', `cannot listen on ${host}:${port}: ${code}`, EXIT.other);
  return err as Error;
}

async function audit(argv: string[], ctx: CommandContext): Promise<number> {
  const options = {
    ticket: { type: 'string' },
    admin: { type: 'boolean', default: false },
    since: { type: 'string' },
    format: { type: 'string', default: 'text' },
    data: { type: 'string' },
    storage: { type: 'string' },
  } as const;
  const { values } = parseArgs({ args: argv, options, strict: true });
  if (values.admin === (values.ticket !== undefined)) throw new UsageError('relay audit needs --ticket ID or --admin (one of them)');
  if (values.ticket !== undefined && !ticketIdSchema.safeParse(values.ticket).success) throw new UsageError('--ticket must be a ticket id');
  if (values.since !== undefined && (!values.admin || Number.isNaN(Date.parse(values.since)))) throw new UsageError('--since takes a date (YYYY-MM-DD or ISO time), with --admin');
  if (values.format !== 'jsonl' && values.format !== 'text') throw new UsageError('--format must be jsonl or text');
  const data = openRelayDataDir(values.data, ctx.env, values.storage);
  try {
    const since = values.since === undefined ? {} : { from: new Date(Date.parse(values.since)).toISOString() };
    const records = values.admin ? await data.storage.queryAudit({ kinds: ['admin', 'device-rekey-authorized'], ...since }) : await data.storage.queryAudit({ ticketId: values.ticket! });
    for (const r of records) ctx.stdout.write(`${values.format === 'jsonl' ? JSON.stringify(r) : auditLine(r)}\n`);
    if (records.length === 0) ctx.stderr.write(values.admin ? 'no admin records\n' : `no audit records for ticket ${values.ticket}\n`);
    return EXIT.ok;
  } finally {
    await data.storage.close();
  }
}

const SUBCOMMANDS: Record<string, (argv: string[], ctx: CommandContext) => Promise<number>> = {
  'add-technician': addTechnician,
  'enroll-device': enrollDevice,
  technicians,
  review,
  audit,
  migrate,
};

const command: Command = {
  name: 'relay',
  summary: 'run the reference relay, and its admin subcommands',
  help: HELP,
  async run(argv, ctx) {
    const [first, ...rest] = argv;
    if (first !== undefined && !first.startsWith('-')) {
      const sub = Object.hasOwn(SUBCOMMANDS, first) ? SUBCOMMANDS[first] : undefined;
      if (!sub) throw new UsageError(`unknown subcommand '${first}'`);
      return sub(rest, ctx);
    }
    return serve(argv, ctx);
  },
};
export default command;
