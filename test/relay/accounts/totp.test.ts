// The relay's TOTP against RFC 6238's own test vectors and an independent implementation.
import { describe, expect, it } from 'vitest';
import { Secret, TOTP } from 'otpauth';
import { newTotpSecret, totpStep, totpUri } from '../../../src/relay/accounts/totp.js';
import { base32Decode, referenceTotp, secretOfUri } from '../../support/totp-reference.js';

// RFC 6238 Appendix B (SHA-1 rows): the 20-byte ASCII key "12345678901234567890", 8 digits.
const RFC_KEY = Buffer.from('12345678901234567890', 'ascii');
const RFC_VECTORS: Array<[number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(RFC_VECTORS)('the reference implementation and otpauth both give the RFC vector at T=%i', (t, code) => {
    expect(referenceTotp(RFC_KEY, t, 8)).toBe(code);
    const totp = new TOTP({ algorithm: 'SHA1', digits: 8, period: 30, secret: new Secret({ buffer: RFC_KEY.buffer.slice(RFC_KEY.byteOffset, RFC_KEY.byteOffset + 20) as ArrayBuffer }) });
    expect(totp.generate({ timestamp: t * 1000 })).toBe(code);
  });

  it('accepts the code of this step and its neighbours, names the step, refuses others and non-codes', () => {
    const secret = newTotpSecret();
    const key = base32Decode(secret);
    const now = 1_800_000_015_000;
    const step = Math.floor(now / 30_000);
    expect(totpStep(secret, referenceTotp(key, now / 1000), now)).toBe(step);
    expect(totpStep(secret, referenceTotp(key, now / 1000 - 30), now)).toBe(step - 1);
    expect(totpStep(secret, referenceTotp(key, now / 1000 + 30), now)).toBe(step + 1);
    expect(totpStep(secret, referenceTotp(key, now / 1000 - 90), now)).toBeNull();
    expect(totpStep(secret, '12345', now)).toBeNull();
    expect(totpStep(secret, '12345a', now)).toBeNull();
  });

  it('the URI an app scans carries the secret, issuer and account', () => {
    const secret = newTotpSecret();
    const uri = totpUri(secret, 'alice');
    expect(uri).toMatch(/^otpauth:\/\/totp\/Porchlight:alice\?/);
    expect(secretOfUri(uri).equals(base32Decode(secret))).toBe(true);
    expect(base32Decode(secret)).toHaveLength(20);
  });
});
