// TLS channel binding for the hello proof (RFC 5705 / RFC 9266 style keying
// material exporter): both ends of one TLS connection derive the same bytes,
// and no other connection can, so a proof covering them can't be relayed.
import type { TLSSocket } from 'node:tls';

export const TLS_EXPORTER_LABEL = 'EXPORTER-porchlight-agent-hello';
export const TLS_EXPORTER_BYTES = 32;

/** Exported keying material of a TLS socket (base64url), or null when the socket is not TLS. */
export function tlsExporterOf(socket: unknown): string | null {
  const tls = socket as Partial<TLSSocket> | null | undefined;
  if (!tls || typeof tls.exportKeyingMaterial !== 'function' || tls.encrypted !== true) return null;
  return tls.exportKeyingMaterial(TLS_EXPORTER_BYTES, TLS_EXPORTER_LABEL, Buffer.alloc(0)).toString('base64url');
}
