// The agent config's `relayCaFile`, loaded for the headless agent and the
// desktop app alike. The config is IT's (the packaged app trusts it only from
// the admin-owned default path), so a user can't slip a CA in through it.
import { caNeedsWss, readCaBundle, type CaBundleResult } from '../connection/extra-ca.js';
import type { AgentConfig } from './agent-config.js';

export type ConfigRelayCa = { ok: true; pem: string | undefined } | { ok: false; code: 'ca-unreadable' | 'ca-invalid' | 'config-invalid' | 'config-untrusted'; detail: string };

/** No relayCaFile: ok without a CA. A relayCaFile with a ws:// relayUrl, or one that isn't a valid PEM bundle: a typed problem. */
export function configRelayCa(config: AgentConfig, origin: string, readCa: (path: string) => CaBundleResult = readCaBundle): ConfigRelayCa {
  if (config.relayCaFile === undefined) return { ok: true, pem: undefined };
  const relayUrl = config.policy?.relayUrl;
  if (caNeedsWss(relayUrl)) return { ok: false, code: 'config-invalid', detail: `${origin}: relayCaFile only applies to a wss:// relay (relayUrl is ${relayUrl})` };
  const r = readCa(config.relayCaFile);
  return r.ok ? { ok: true, pem: r.pem } : { ok: false, code: r.code, detail: `relayCaFile: ${r.detail}` };
}
