// Opening the relay's data dir: key file and database, shared by the relay
// server and its admin commands (which may run while the relay is up: WAL).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Ed25519KeyPair } from '../protocol/signing.js';
import { DATABASE_FILE, defaultDataDir, ensureDataDir } from './data-dir.js';
import { loadOrCreateRelayKey } from './relay-key.js';
import { parseDatabaseUrl } from './storage/database-url.js';
import { PostgresStorage } from './storage/postgres-storage.js';
import { SqliteStorage } from './storage/sqlite-storage.js';
import type { RelayStorage } from './storage/storage.js';

export interface RelayData {
  dir: string;
  storage: RelayStorage;
  relayKey: Ed25519KeyPair;
  keyCreated: boolean;
  /** Set when the records are in PostgreSQL. */
  databaseUrl?: string;
}

/**
 * The key always lives in the data dir; the records in its SQLite file, or in PostgreSQL when
 * `databaseUrl` (or $PORCHLIGHT_RELAY_DATABASE_URL) names one, so admin commands run against the
 * same database as the relay instances.
 */
export function openRelayData(dataDir: string | undefined, env: NodeJS.ProcessEnv, storageUrl?: string): RelayData {
  const dir = ensureDataDir(dataDir ?? defaultDataDir(env));
  const { key, created } = loadOrCreateRelayKey(dir);
  const url = storageUrl ?? env.PORCHLIGHT_RELAY_DATABASE_URL;
  if (!url) return { dir, storage: new SqliteStorage(join(dir, DATABASE_FILE)), relayKey: key, keyCreated: created };
  const databaseUrl = parseDatabaseUrl(url);
  return { dir, storage: new PostgresStorage({ url: databaseUrl }), relayKey: key, keyCreated: created, databaseUrl };
}

/**
 * For commands that only read (report, evidence): the records of an existing relay, never a new
 * empty database made by reading from the wrong place. Null when `dir` holds no SQLite file and no
 * database URL is set.
 */
export function openExistingRecords(dir: string, env: NodeJS.ProcessEnv): RelayStorage | null {
  const url = env.PORCHLIGHT_RELAY_DATABASE_URL;
  if (url) return new PostgresStorage({ url: parseDatabaseUrl(url) });
  const file = join(dir, DATABASE_FILE);
  return existsSync(file) ? new SqliteStorage(file) : null;
}
