// The alert webhook's signature, in the scheme Stripe and GitHub use:
//   X-Porchlight-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// The receiver recomputes it over the raw body, compares in constant time, and
// refuses a timestamp more than 5 minutes from its clock (a replayed delivery).
import { createHmac } from 'node:crypto';

function signatureOf(secret: Buffer, t: number, body: string): string {
  return createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
}

export function signatureHeader(secret: Buffer, nowMs: number, body: string): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${signatureOf(secret, t, body)}`;
}
