// Opening the relay's data dir: key file and database, shared by the relay
// server and its admin commands (which may run while the relay is up: WAL).
import { join } from 'node:path';
import type { Ed25519KeyPair } from '../protocol/signing.js';
import { DATABASE_FILE, defaultDataDir, ensureDataDir } from './data-dir.js';
import { loadOrCreateRelayKey } from './relay-key.js';
import { SqliteStorage } from './storage/sqlite-storage.js';
import type { RelayStorage } from './storage/storage.js';

export interface RelayData {
  dir: string;
  storage: RelayStorage;
  relayKey: Ed25519KeyPair;
  keyCreated: boolean;
}

export function openRelayData(dataDir: string | undefined, env: NodeJS.ProcessEnv): RelayData {
  const dir = ensureDataDir(dataDir ?? defaultDataDir(env));
  const { key, created } = loadOrCreateRelayKey(dir);
  return { dir, storage: new SqliteStorage(join(dir, DATABASE_FILE)), relayKey: key, keyCreated: created };
}
