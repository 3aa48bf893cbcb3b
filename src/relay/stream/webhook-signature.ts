// The alert webhook's signature, in the scheme Stripe and GitHub use:
//   X-Porchlight-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// The receiver recomputes it over the raw body, compares in constant time, and
// refuses a timestamp more than 5 minutes from its clock (a replayed delivery).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-porchlight-signature';
export const SIGNATURE_TOLERANCE_S = 300;

export function signatureOf(secret: Buffer, t: number, body: string): string {
  return createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
}

export function signatureHeader(secret: Buffer, nowMs: number, body: string): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${signatureOf(secret, t, body)}`;
}

/** The receiver's side (docs/relay.md shows the same in a few lines). */
export function verifySignature(secret: Buffer, header: string | undefined, body: string, nowMs: number): boolean {
  const parts = new Map((header ?? '').split(',').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(nowMs / 1000 - t) > SIGNATURE_TOLERANCE_S || !/^[0-9a-f]{64}$/.test(v1)) return false;
  return timingSafeEqual(Buffer.from(v1, 'hex'), Buffer.from(signatureOf(secret, t, body), 'hex'));
}
