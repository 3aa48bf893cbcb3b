// What a technician should do when `request` / `session close` can't connect:
// a private CA wants --ca FILE (not a Node flag); ws:// to a TLS relay wants wss://.
import { PLAIN_TO_TLS_HINT, probePeerCertificate } from '../core/connection/connect-failure.js';

const CERTIFICATE_PROBLEM = /self[- ]signed|certificate|issuer/i;
const PLAIN_TALKING_TO_TLS = /socket hang up|ECONNRESET|parse error|Invalid HTTP|Unexpected server response: 400/i;

export async function connectFailureDetail(relayUrl: string, given: string, caGiven: boolean): Promise<string> {
  const url = new URL(relayUrl);
  let detail = given;
  if (url.protocol === 'wss:' && CERTIFICATE_PROBLEM.test(detail)) {
    // Node's own advice is a runtime flag, which a technician running `porchlight` can't pass.
    detail = detail.replace(/; if the root CA is installed locally, try running Node\.js with --use-system-ca/, '');
    return caGiven ? `${detail} (the relay's certificate does not chain to the --ca file either)` : `${detail}; if the relay uses a private CA, pass its certificate: --ca FILE`;
  }
  if (url.protocol === 'ws:' && PLAIN_TALKING_TO_TLS.test(detail)) {
    const port = Number(url.port) || 80;
    if (await probePeerCertificate(url.hostname.replace(/^\[|\]$/g, ''), port)) return `${detail}: ${PLAIN_TO_TLS_HINT} (wss://${url.host})`;
  }
  return detail;
}
