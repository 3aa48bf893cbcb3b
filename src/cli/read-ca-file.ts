// `--ca FILE` for the CLI commands: the shared loader (core/connection/extra-ca.ts)
// with its typed errors turned into usage errors (exit 2).
import { caNeedsWss, readCaBundle } from '../core/connection/extra-ca.js';
import { UsageError } from './command.js';

export { withExtraCa } from '../core/connection/extra-ca.js';

/**
 * The file's certificates as PEM text; a usage error if it can't be read or
 * holds no valid certificate, or (when the relay URL is known) the relay is not wss://.
 */
export function readCaFile(path: string, relayUrl?: string): string {
  if (caNeedsWss(relayUrl)) throw new UsageError('--ca only applies to a wss:// relay');
  const r = readCaBundle(path);
  if (!r.ok) throw new UsageError(`--ca: ${r.detail}`);
  return r.pem;
}
