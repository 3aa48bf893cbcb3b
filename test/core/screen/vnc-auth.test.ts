// VNC authentication (RFC 6143 7.2.2): the 16-byte challenge DES-encrypted
// with the password, each key byte's bits reversed. Checked against the
// classic single-DES known answer (FIPS 81: key 0123456789ABCDEF, "Now is t"
// -> 3FA40E8A984D4815), so the two-key 3DES with equal halves Porchlight uses
// (OpenSSL 3 keeps plain DES in its legacy provider) is shown to be single DES.
import { describe, expect, it } from 'vitest';
import { vncAuthResponse } from '../../../src/core/screen/rfb-handshakes.js';

/** The password whose bit-reversed bytes are the DES key 01 23 45 67 89 AB CD EF. */
const PASSWORD = Buffer.from([0x80, 0xc4, 0xa2, 0xe6, 0x91, 0xd5, 0xb3, 0xf7]).toString('latin1');

describe('VNC authentication response', () => {
  it('is single DES of each challenge half under the bit-reversed password (FIPS 81 known answer)', () => {
    const challenge = Buffer.from('Now is tNow is t', 'latin1');
    expect(vncAuthResponse(PASSWORD, challenge).toString('hex')).toBe('3fa40e8a984d4815'.repeat(2));
  });

  it('uses the first 8 password bytes and pads a shorter one with zeros', () => {
    const challenge = Buffer.alloc(16, 7);
    expect(vncAuthResponse(`${PASSWORD}ignored`, challenge)).toEqual(vncAuthResponse(PASSWORD, challenge));
    expect(vncAuthResponse('ab', challenge)).toEqual(vncAuthResponse('ab\0\0\0\0\0\0', challenge));
    expect(vncAuthResponse('ab', challenge)).not.toEqual(vncAuthResponse('ba', challenge));
  });
});
