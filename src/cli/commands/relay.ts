// `porchlight relay`: run the reference relay, and its admin subcommands
// (add-technician, enroll-device, audit).
import { parseArgs } from '../parse-args.js';
import { publicKey as publicKeySchema, slug, lineText, MAX_NAME_LENGTH, ticketId as ticketIdSchema } from '../../protocol/primitives.js';
import { SCOPES, type Scope } from '../../protocol/scopes.js';
import { keyFingerprint } from '../../protocol/signing.js';
import { terminalText } from '../../protocol/text-policy.js';
import { auditLine } from '../../relay/audit/audit-text.js';
import { checkpointHead } from '../../relay/audit/checkpoint.js';
import { describeDatabaseUrl } from '../../relay/storage/database-url.js';
import { joinBus, type RelayBusHandle } from '../relay-bus.js';
import { migrate } from './relay-migrate.js';
import { openRelayDataDir } from '../relay-data-dir.js';
import { applyRetention, parseRetentionDays, RETENTION_INTERVAL_MS } from '../../relay/retention.js';
import { hashSecretToken, newSecretToken } from '../../relay/secret-token.js';
import { startRelay } from '../../relay/server.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { enrollDevice } from './enroll-device.js';
import { checkListener } from '../transport-security.js';
import { CliError } from '../cli-error.js';
import { readInputFile } from '../read-input-file.js';
import { EXIT } from '../exit-codes.js';
import { parseRelayLimitFlags, RELAY_LIMIT_HELP, RELAY_LIMIT_OPTIONS } from '../relay-limit-flags.js';

const CHECKPOINT_INTERVAL_MS = 5 * 60_000;

const HELP = `Usage:
  porchlight relay [--host H] [--port P] [--data DIR] [--cert FILE --key FILE] [--insecure]
                   [--approvals-key PUBKEY] [--retention-days N] [--storage postgres://...]
                   [--bus redis://host:port [--instance-id ID] [--bus-alive-ms MS]]
                   [--hello-timeout-ms MS] [--max-unauthenticated-per-address N]
  porchlight relay add-technician --name ID --group GROUP [--display "Full Name"] [--org ORG]
                   [--scopes view,control,admin,file-transfer] [--unattended] [--data DIR]
  porchlight relay enroll-device --device ID [--hours N] [--rekey] [--data DIR]
  porchlight relay audit --ticket ID [--format jsonl|text] [--data DIR] [--storage postgres://...]
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

add-technician prints the technician's API token once (only its hash is stored).
enroll-device prints a one-time token the agent uses on first connect (default valid 24 h).
  An enrolled device's key is replaced only with --rekey (recorded in the central audit);
  the old key's connection is then closed with code 4003 and the reason.
audit prints the central audit records of one ticket.
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
    },
    strict: true,
  });
  const limits = parseRelayLimitFlags(values);
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
  try {
    bus = values.bus === undefined ? undefined : await joinBus(values.bus, { instanceId: values['instance-id'], aliveMs: values['bus-alive-ms'] }, log);
    const directory = bus ? { directory: bus.directory } : {};
    relay = await startRelay({ storage: data.storage, relayKey: data.relayKey, host: values.host, port, ...(tls ? { tls } : {}), ...(approvalsKey ? { approvalsPublicKey: approvalsKey } : {}), ...directory, ...limits, log });
  } catch (err) {
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
      `audit retention: ${retentionDays} days${pruned > 0 ? ` (${pruned} old records removed)` : ''}`,
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

function parseScopes(value: string): Scope[] {
  const scopes = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (bad.length > 0 || scopes.length === 0) throw new UsageError(`--scopes must be a comma list of ${SCOPES.join(', ')}`);
  return [...new Set(scopes)] as Scope[];
}

async function addTechnician(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' },
      group: { type: 'string' },
      display: { type: 'string' },
      org: { type: 'string' },
      scopes: { type: 'string', default: 'view,control' },
      unattended: { type: 'boolean', default: false },
      data: { type: 'string' },
    },
    strict: true,
  });
  if (!values.name || !slug.safeParse(values.name).success) throw new UsageError('--name must be 1-64 chars of a-z 0-9 _ . -');
  if (!values.group || !slug.safeParse(values.group).success) throw new UsageError('--group must be 1-64 chars of a-z 0-9 _ . -');
  const display = values.display ?? values.name;
  if (!lineText(MAX_NAME_LENGTH).safeParse(display).success) throw new UsageError(`--display must be one line of at most ${MAX_NAME_LENGTH} characters`);
  if (values.org !== undefined && !lineText(MAX_NAME_LENGTH).safeParse(values.org).success) throw new UsageError(`--org must be one line of at most ${MAX_NAME_LENGTH} characters`);
  const scopes = parseScopes(values.scopes);
  const data = openRelayDataDir(values.data, ctx.env);
  try {
    if (await data.storage.getTechnician(values.name)) {
      throw new CliError('technician-exists', `technician ${values.name} already exists`, EXIT.other);
    }
    const token = newSecretToken();
    await data.storage.addTechnician({
      id: values.name,
      name: display,
      group: values.group,
      ...(values.org ? { org: values.org } : {}),
      scopes,
      unattended: values.unattended,
      tokenHash: hashSecretToken(token),
      createdAt: new Date().toISOString(),
      disabled: false,
    });
    ctx.stdout.write(
      `technician ${values.name} (${display}) added to group ${values.group}: scopes ${scopes.join(',')}${values.unattended ? ', unattended allowed' : ''}\n` +
        `API token (shown once, keep it secret):\n${token}\n`,
    );
    return EXIT.ok;
  } finally {
    await data.storage.close();
  }
}

async function audit(argv: string[], ctx: CommandContext): Promise<number> {
  const options = { ticket: { type: 'string' }, format: { type: 'string', default: 'text' }, data: { type: 'string' }, storage: { type: 'string' } } as const;
  const { values } = parseArgs({ args: argv, options, strict: true });
  if (!values.ticket || !ticketIdSchema.safeParse(values.ticket).success) throw new UsageError('--ticket must be a ticket id');
  if (values.format !== 'jsonl' && values.format !== 'text') throw new UsageError('--format must be jsonl or text');
  const data = openRelayDataDir(values.data, ctx.env, values.storage);
  try {
    const records = await data.storage.queryAudit({ ticketId: values.ticket });
    for (const r of records) ctx.stdout.write(`${values.format === 'jsonl' ? JSON.stringify(r) : auditLine(r)}\n`);
    if (records.length === 0) ctx.stderr.write(`no audit records for ticket ${values.ticket}\n`);
    return EXIT.ok;
  } finally {
    await data.storage.close();
  }
}

const SUBCOMMANDS: Record<string, (argv: string[], ctx: CommandContext) => Promise<number>> = {
  'add-technician': addTechnician,
  'enroll-device': enrollDevice,
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
