// The relay's Ed25519 signing key: created once in the data dir (mode 0600),
// loaded on every start (refused if others may read it). Agents pin its public key.
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../protocol/frame.js';
import { generateEd25519KeyPair, type Ed25519KeyPair } from '../protocol/signing.js';

export const keyPairFileSchema = z.strictObject({
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  privateKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

export const RELAY_KEY_FILE = 'relay-key.json';

/** A key file that can't be used; the message is one line for a person. */
export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
  constructor(
    readonly code: 'key-file-invalid' | 'key-file-exposed',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export function readKeyPairFile(path: string): Ed25519KeyPair {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : err instanceof SyntaxError ? 'not JSON' : (err as Error).message;
    throw new KeyFileError('key-file-invalid', `${path}: ${why}`);
  }
  const parsed = keyPairFileSchema.safeParse(data);
  if (!parsed.success) throw new KeyFileError('key-file-invalid', `${path}: ${describeIssues('key file', parsed.error)}`);
  return parsed.data;
}

/** Refuse a private key file that group or others may read (POSIX; Windows has ACLs instead). */
export function checkPrivateKeyMode(path: string, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new KeyFileError('key-file-exposed', `${path} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${path}`);
}

/** Write a keypair readable by the owner only. Refuses to overwrite. */
export function writeKeyPairFile(path: string, pair: Ed25519KeyPair): void {
  writeFileSync(path, `${JSON.stringify(pair, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

export function loadOrCreateRelayKey(dataDir: string): { key: Ed25519KeyPair; created: boolean } {
  const path = join(dataDir, RELAY_KEY_FILE);
  if (existsSync(path)) {
    checkPrivateKeyMode(path);
    return { key: readKeyPairFile(path), created: false };
  }
  const key = generateEd25519KeyPair();
  writeKeyPairFile(path, key);
  return { key, created: true };
}
