// Why a connection to the relay failed, in words an operator can act on:
// DNS, refused, timeout, an untrusted certificate (with its subject and issuer),
// a pin mismatch (expected and actual), an HTTP status instead of an upgrade,
// or a plain ws:// URL for a relay that speaks TLS. Shared by agent and CLI.
import { connect as tlsConnect } from 'node:tls';

export type ConnectFailureKind =
  | 'dns'
  | 'refused'
  | 'timeout'
  | 'tls-untrusted'
  | 'tls-hostname'
  | 'tls-pin-mismatch'
  | 'http-status'
  | 'plain-to-tls'
  | 'relay-refused'
  | 'closed'
  | 'other';

export interface ConnectFailure {
  kind: ConnectFailureKind;
  detail: string;
}

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
]);
const PROBE_TIMEOUT_MS = 3000;

/** The same cause is reported (and logged) again at most this often while the connect keeps failing. */
export const CONNECT_FAILURE_REPEAT_MS = 5 * 60_000;
export const PIN_MISMATCH_CODE = 'ERR_TLS_PIN_MISMATCH';
export const PLAIN_TO_TLS_HINT = 'this relay speaks TLS: use wss://';

interface PeerCert {
  subject: string;
  issuer: string;
}

const dn = (o: Record<string, unknown> | undefined) =>
  Object.entries(o ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ') || '(empty)';

/** A TLS handshake that trusts anything, only to read what the relay presents. Undefined when it speaks no TLS. */
export function probePeerCertificate(host: string, port: number): Promise<PeerCert | undefined> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host, port, servername: /^[\d.]+$|:/.test(host) ? undefined : host, rejectUnauthorized: false });
    const done = (cert: PeerCert | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(cert);
    };
    const timer = setTimeout(() => done(undefined), PROBE_TIMEOUT_MS);
    socket.once('secureConnect', () => {
      const c = socket.getPeerCertificate();
      done({ subject: dn(c.subject as unknown as Record<string, unknown>), issuer: dn(c.issuer as unknown as Record<string, unknown>) });
    });
    socket.once('error', () => done(undefined));
  });
}

function hostPort(url: URL): { host: string; port: number } {
  const port = Number(url.port) || (url.protocol === 'wss:' ? 443 : 80);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

/** Names the cause of a failed connect (`err` from the ws 'error' event). May probe the relay once. */
export async function diagnoseConnectFailure(relayUrl: string, err: Error): Promise<ConnectFailure> {
  const url = new URL(relayUrl);
  const { host, port } = hostPort(url);
  const code = String((err as NodeJS.ErrnoException).code ?? '');
  const where = `${host}:${port}`;
  const failure = (kind: ConnectFailureKind, detail: string): ConnectFailure => ({ kind, detail });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return failure('dns', `cannot resolve ${host} (DNS: ${code})`);
  }
  if (code === 'ECONNREFUSED') {
    return failure('refused', `nothing accepts connections on ${where} (connection refused): is the relay running, and is the port right?`);
  }
  if (code === 'ETIMEDOUT' || /handshake has timed out/i.test(err.message)) return failure('timeout', `no answer from ${where} in time (${err.message})`);
  if (code === PIN_MISMATCH_CODE) return failure('tls-pin-mismatch', err.message);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return failure('tls-hostname', `the relay's certificate is not for ${host}: ${err.message}`);
  if (UNTRUSTED.has(code)) {
    const cert = await probePeerCertificate(host, port);
    const who = cert ? `: subject ${cert.subject}, issuer ${cert.issuer}` : '';
    return failure('tls-untrusted', `the relay's TLS certificate is not trusted (${code})${who}`);
  }
  const status = /Unexpected server response: (\d+)/.exec(err.message);
  if (status) return failure('http-status', `${where} answered the WebSocket upgrade with HTTP ${status[1]} (not a Porchlight relay at this URL?)`);
  const plainHangUp = code === 'ECONNRESET' || /socket hang up|parse error/i.test(err.message);
  if (url.protocol === 'ws:' && plainHangUp && (await probePeerCertificate(host, port))) {
    return failure('plain-to-tls', `${PLAIN_TO_TLS_HINT} (wss://${url.host}${url.pathname === '/' ? '' : url.pathname})`);
  }
  return { kind: 'other', detail: `${err.message}${code ? ` (${code})` : ''}` };
}
