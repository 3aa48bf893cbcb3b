// A private CA the relay's wss:// certificate chains to, from a PEM file
// (`--ca FILE` on the CLI, `relayCaFile` in the agent config). One loader for
// the CLI, the headless agent and the desktop app, so none needs NODE_EXTRA_CA_CERTS.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

export type CaBundleResult = { ok: true; pem: string } | { ok: false; code: 'ca-unreadable' | 'ca-invalid'; detail: string };

/** The file's certificates as PEM text, each checked with X509Certificate; never throws. */
export function readCaBundle(path: string): CaBundleResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { ok: false, code: 'ca-unreadable', detail: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  const certs = text.match(PEM_CERT) ?? [];
  if (certs.length === 0) return { ok: false, code: 'ca-invalid', detail: `${path} holds no PEM certificate` };
  for (const pem of certs) {
    try {
      new X509Certificate(pem);
    } catch (err) {
      return { ok: false, code: 'ca-invalid', detail: `${path} holds an invalid certificate: ${(err as Error).message}` };
    }
  }
  return { ok: true, pem: certs.join('\n') };
}

/** ws client options that trust `pem` in addition to Node's default roots (`ca` alone would replace them). */
export function withExtraCa(pem: string): { ca: string[] } {
  return { ca: [...rootCertificates, pem] };
}

/** A CA only means something for TLS; with a ws:// relay the setup is not what the admin thinks. */
export function caNeedsWss(relayUrl: string | undefined): boolean {
  return relayUrl !== undefined && !relayUrl.startsWith('wss://');
}
