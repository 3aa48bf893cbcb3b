// Technician and enrollment tokens must not cross the network in clear text:
// ws:// and a plain listener are for loopback only, unless --insecure says
// the operator knows (a lab, a TLS-terminating proxy on the same host).
import { checkRelayUrl, isLoopbackHost } from '../core/connection/relay-url.js';
import { UsageError } from './command.js';

/** The technician CLI's --relay: wss:// anywhere, ws:// to loopback only (or with --insecure). */
/** `--relay wss://a[,wss://b...]`: one relay, or instances to try in order (at most 8). */
export function requireRelayUrls(value: string | undefined, insecure = false): string[] {
  if (!value) throw new UsageError('--relay wss://host:port is required (ws:// only to a loopback relay)');
  const urls = [...new Set(value.split(',').map((u) => u.trim()).filter((u) => u.length > 0))];
  if (urls.length === 0 || urls.length > 8) throw new UsageError('--relay takes one to eight relay URLs, separated by commas');
  for (const url of urls) {
    const checked = checkRelayUrl(url, insecure);
    const which = urls.length > 1 ? ` (${url.slice(0, 200)})` : '';
    if (!checked.ok) throw new UsageError(`--relay${which}: ${checked.detail}; pass --insecure to send the token in clear text anyway`);
  }
  return urls;
}

/**
 * The relay's listener: a non-loopback host needs --cert/--key, or --insecure.
 * Returns a warning to print loudly when --insecure let a plain listener through.
 */
export function checkListener(host: string, tls: boolean, insecure: boolean): string | undefined {
  if (tls || isLoopbackHost(host)) return undefined;
  if (!insecure) throw new UsageError(`refusing to listen on ${host} without TLS: technician and enrollment tokens would cross the network in clear text; pass --cert and --key (or --insecure)`);
  return `WARNING: --insecure: listening on ${host} without TLS. Technician and enrollment tokens, consent decisions and audit records cross the network in clear text. Use --cert/--key outside a lab.`;
}
