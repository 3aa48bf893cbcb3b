// `porchlight relay migrate --from-sqlite FILE --to postgres://...`: move an embedded relay to
// PostgreSQL. The SQLite file is only read; the target must be empty.
import { existsSync } from 'node:fs';
import { parseArgs } from '../parse-args.js';
import { parseDatabaseUrl, describeDatabaseUrl, DatabaseUrlError } from '../../relay/storage/database-url.js';
import { copyToPostgres } from '../../relay/storage/copy-to-postgres.js';
import { PostgresStorage } from '../../relay/storage/postgres-storage.js';
import { SqliteStorage } from '../../relay/storage/sqlite-storage.js';
import { UsageError, type CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';

export async function migrate(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'from-sqlite': { type: 'string' }, to: { type: 'string' } }, strict: true });
  const file = values['from-sqlite'];
  if (!file || !values.to) throw new UsageError('migrate needs --from-sqlite FILE and --to postgres://...');
  if (!existsSync(file)) throw new UsageError(`--from-sqlite: ${file} does not exist`);
  let url: string;
  try {
    url = parseDatabaseUrl(values.to);
  } catch (err) {
    if (err instanceof DatabaseUrlError) throw new UsageError(`--to: ${err.message}`);
    throw err;
  }
  const from = new SqliteStorage(file);
  const to = new PostgresStorage({ url });
  try {
    const r = await copyToPostgres(from, to);
    ctx.stdout.write(
      `copied to ${describeDatabaseUrl(url)}: ${r.technicians} technicians, ${r.devices} devices, ${r.enrollments} unspent enrollments, ` +
        `${r.agreedWindows} agreed windows, ${r.approvalUses} counted approvals, ${r.records} audit records, ${r.checkpoints} checkpoints\n` +
        `verified: the chain ends at seq ${r.head?.seq ?? 0}${r.head ? ` (${r.head.hash.slice(0, 16)}...)` : ''}, as in the SQLite file\n` +
        `next: start every relay instance with --storage (or PORCHLIGHT_RELAY_DATABASE_URL) and the same --data key\n`,
    );
    return EXIT.ok;
  } finally {
    await from.close();
    await to.close();
  }
}
