// Where the relay keeps its key and database when --data is not given.
import { chmodSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.PORCHLIGHT_RELAY_DATA) return env.PORCHLIGHT_RELAY_DATA;
  if (platform === 'win32') return join(env.PROGRAMDATA ?? env.APPDATA ?? homedir(), 'Porchlight', 'relay');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Porchlight', 'relay');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'porchlight', 'relay');
}

/** The data dir holds the relay key and token hashes: owner only, also when it already existed. */
export function ensureDataDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') chmodSync(dir, 0o700);
  return dir;
}

export const DATABASE_FILE = 'relay.db';
