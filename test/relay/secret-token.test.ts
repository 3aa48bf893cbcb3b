import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newSecretToken } from '../../src/relay/secret-token.js';

describe('newSecretToken', () => {
  it('never starts with "-" (it is passed as `--token T` on command lines)', () => {
    // 0xf8 makes base64url's first character '-'.
    const draws = [Buffer.alloc(32, 0xf8), Buffer.alloc(32, 0x01)];
    const token = newSecretToken(() => draws.shift()!);
    expect(token).toBe(Buffer.alloc(32, 0x01).toString('base64url'));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const queue = [Buffer.from(bytes), Buffer.alloc(32, 0x01)];
        expect(newSecretToken(() => queue.shift()!)).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{42}$/);
      }),
    );
  });
});
