// relay.db holds technician token hashes and the central audit: owner only.
// The file is created 0600 before SQLite opens it; SQLite gives its -wal and
// -shm files the database file's mode. Existing files are tightened too.
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';

const SIDE_FILES = ['', '-wal', '-shm', '-journal'];

export function createPrivateDbFile(path: string, platform: NodeJS.Platform = process.platform): void {
  if (path === ':memory:') return;
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  tightenDbFiles(path, platform);
}

/** chmod 600 the database and whichever of its side files exist. */
export function tightenDbFiles(path: string, platform: NodeJS.Platform = process.platform): void {
  if (path === ':memory:' || platform === 'win32') return;
  for (const suffix of SIDE_FILES) if (existsSync(path + suffix)) chmodSync(path + suffix, 0o600);
}
