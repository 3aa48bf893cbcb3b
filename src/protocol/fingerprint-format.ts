// How a key fingerprint reads: the first 100 bits of the key's sha256 in
// base32, in groups of four (`K7QF-2M9X-ABCD-EFGH-IJKL`). Browser-safe, so the
// technician console shows exactly what the CLI and the agent show.
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function formatFingerprint(sha256Digest: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of sha256Digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 20) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length >= 20) break;
  }
  return out.match(/.{4}/g)!.join('-');
}
