// Optional pin of the relay's TLS key: sha256 (base64) of the certificate's
// SubjectPublicKeyInfo, checked on top of normal certificate validation.
import { createHash, X509Certificate } from 'node:crypto';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { PIN_MISMATCH_CODE } from './connect-failure.js';

export function spkiSha256(certDer: Buffer): string {
  const spki = new X509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** A `checkServerIdentity` for tls/ws that also requires the pinned key. */
export function pinnedServerIdentity(pin: string): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    const err = checkServerIdentity(host, cert);
    if (err) return err;
    const actual = cert.raw ? spkiSha256(cert.raw) : '(no certificate)';
    if (actual !== pin) return Object.assign(new Error(`relay TLS key does not match the pinned key (relayTlsPin): expected ${pin}, the relay presented ${actual}`), { code: PIN_MISMATCH_CODE });
    return undefined;
  };
}
