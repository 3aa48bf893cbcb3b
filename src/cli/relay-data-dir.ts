// --data for the relay commands: a path that is a file (or can't be created)
// is the caller's mistake, named as such rather than an ENOTDIR stack.
import { openRelayData, type RelayData } from '../relay/relay-data.js';
import { DatabaseUrlError } from '../relay/storage/database-url.js';
import { UsageError } from './command.js';

export function openRelayDataDir(dir: string | undefined, env: NodeJS.ProcessEnv, databaseUrl?: string): RelayData {
  try {
    return openRelayData(dir, env, databaseUrl);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof DatabaseUrlError) throw new UsageError(err.message);
    if (code === 'ENOTDIR' || code === 'EEXIST') throw new UsageError(`--data: ${dir ?? 'the relay data dir'} is not a directory`);
    if (code === 'EACCES' || code === 'EPERM' || code === 'ELOOP') throw new UsageError(`--data: cannot use ${dir ?? 'the relay data dir'} (${code})`);
    throw err;
  }
}
