// `--ca FILE` for the technician commands: PEM certificates of a private CA
// the relay's wss:// certificate chains to (instead of NODE_EXTRA_CA_CERTS).
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { UsageError } from './command.js';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

/**
 * The file's certificates as PEM text; a usage error if it can't be read or
 * holds no valid certificate, or (when the relay URL is known) the relay is not wss://.
 */
export function readCaFile(path: string, relayUrl?: string): string {
  if (relayUrl !== undefined && !relayUrl.startsWith('wss://')) throw new UsageError('--ca only applies to a wss:// relay');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --ca ${path}: ${(err as Error).message}`);
  }
  const certs = text.match(PEM_CERT) ?? [];
  if (certs.length === 0) throw new UsageError(`--ca ${path} holds no PEM certificate`);
  for (const pem of certs) {
    try {
      new X509Certificate(pem);
    } catch (err) {
      throw new UsageError(`--ca ${path} holds an invalid certificate: ${(err as Error).message}`);
    }
  }
  return certs.join('\n');
}

/** ws client options that trust `pem` in addition to Node's default roots (`ca` alone would replace them). */
export function withExtraCa(pem: string): { ca: string[] } {
  return { ca: [...rootCertificates, pem] };
}
