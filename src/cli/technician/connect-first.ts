// --relay with several instances (wss://a,wss://b): try them in order and use the first that
// answers. Only a relay that cannot be reached moves on; a refusal (a bad token, a disabled
// account) is the answer of every instance, so it is final.
import { connectTechnician, type TechnicianClient, type TechnicianConnectOptions } from './technician-client.js';
import { connectFailureDetail } from '../connect-hint.js';
import type { ErrorCode } from '../../protocol/error-codes.js';

export type FirstRelayResult =
  | { ok: true; client: TechnicianClient; url: string }
  | { ok: false; code: ErrorCode | 'connect-failed'; detail: string };

export async function connectFirstRelay(urls: readonly string[], token: string, opts: TechnicianConnectOptions): Promise<FirstRelayResult> {
  const failures: string[] = [];
  for (const url of urls) {
    const connected = await connectTechnician(url, token, opts);
    if (connected.ok) return { ok: true, client: connected.client, url };
    if (connected.code !== 'connect-failed') return connected;
    const detail = await connectFailureDetail(url, connected.detail, opts.ca !== undefined);
    failures.push(urls.length > 1 ? `${url}: ${detail}` : detail);
  }
  return { ok: false, code: 'connect-failed', detail: failures.join('; ') };
}
