// Where the screen channel may connect: IT's policy only (managed or local
// admin), never a value from the relay or the technician. Loopback only.
import { readFileSync, statSync } from 'node:fs';
import type { ScreenServerPolicy } from '../policy/schema.js';
import type { ScreenEndpoint } from './screen-channel.js';

export type { ScreenServerPolicy } from '../policy/schema.js';

/** An existing server's endpoint; its password file is read at each grant and open (rotated passwords work). */
export function resolveScreenEndpoint(p: ScreenServerPolicy): { ok: true; endpoint: ScreenEndpoint } | { ok: false; detail: string } {
  if (p.passwordFile === undefined) return { ok: true, endpoint: { host: p.host, port: p.port } };
  try {
    if (statSync(p.passwordFile).size > 4096) return { ok: false, detail: `the VNC password file ${p.passwordFile} is over 4 KiB` };
    const password = readFileSync(p.passwordFile, 'utf8').split(/\r?\n/)[0] ?? '';
    if (password.length === 0) return { ok: false, detail: `the VNC password file ${p.passwordFile} is empty` };
    return { ok: true, endpoint: { host: p.host, port: p.port, password } };
  } catch (err) {
    return { ok: false, detail: `cannot read the VNC password file: ${(err as Error).message}` };
  }
}
