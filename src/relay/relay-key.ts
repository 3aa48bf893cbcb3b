// The relay's Ed25519 signing key: created once in the data dir (mode 0600),
// loaded on every start. Agents pin its public key.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { generateEd25519KeyPair, type Ed25519KeyPair } from '../protocol/signing.js';

export const keyPairFileSchema = z.strictObject({
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  privateKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

export const RELAY_KEY_FILE = 'relay-key.json';

export function readKeyPairFile(path: string): Ed25519KeyPair {
  return keyPairFileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** Write a keypair readable by the owner only. Refuses to overwrite. */
export function writeKeyPairFile(path: string, pair: Ed25519KeyPair): void {
  writeFileSync(path, `${JSON.stringify(pair, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

export function loadOrCreateRelayKey(dataDir: string): { key: Ed25519KeyPair; created: boolean } {
  const path = join(dataDir, RELAY_KEY_FILE);
  if (existsSync(path)) return { key: readKeyPairFile(path), created: false };
  const key = generateEd25519KeyPair();
  writeKeyPairFile(path, key);
  return { key, created: true };
}
