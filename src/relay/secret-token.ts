// Bearer secrets (technician API tokens, enrollment tokens): 32 random bytes,
// stored only as sha256 (enough for uniformly random 256-bit secrets).
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../protocol/signing.js';

/** Never starts with '-': it goes on command lines (`--token T`), where parseArgs would take it for an option. */
export function newSecretToken(random: (n: number) => Buffer = randomBytes): string {
  for (;;) {
    const token = random(32).toString('base64url');
    if (!token.startsWith('-')) return token;
  }
}

export function hashSecretToken(token: string): string {
  return sha256Hex(token);
}
