// The device's Ed25519 identity: created on first run, private key file mode
// 0600 (the Electron shell may wrap it with safeStorage later).
import { chmodSync, closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { generateEd25519KeyPair, type Ed25519KeyPair } from '../../protocol/signing.js';
import { base64url, publicKey } from '../../protocol/primitives.js';

export const DEVICE_KEY_FILE = 'device-key.json';

const keyFileSchema = z.strictObject({ v: z.literal(1), publicKey, privateKey: base64url(43, 43) });

export class DeviceKeyError extends Error {
  readonly code = 'internal';
}

export function loadOrCreateDeviceKey(dataDir: string): Ed25519KeyPair {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, DEVICE_KEY_FILE);
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new DeviceKeyError(`cannot read the device key: ${(err as Error).message}`);
  }
  if (text !== undefined) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    const parsed = keyFileSchema.safeParse(data);
    // Never overwrite a damaged key silently: the relay knows this device by it.
    if (!parsed.success) throw new DeviceKeyError(`${path} is damaged; move it away to enroll this device again`);
    if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    return { publicKey: parsed.data.publicKey, privateKey: parsed.data.privateKey };
  }
  const pair = generateEd25519KeyPair();
  const tmp = `${path}.tmp`;
  // 'w', not 'wx': a tmp file left by a crash before the rename is ours to
  // overwrite; refusing it would stop the agent from ever starting again.
  const fd = openSync(tmp, 'w', 0o600);
  fchmodSync(fd, 0o600);
  try {
    writeSync(fd, JSON.stringify({ v: 1, ...pair }));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return pair;
}
