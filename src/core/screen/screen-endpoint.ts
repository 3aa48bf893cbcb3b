// Where the screen channel may connect: IT's setting only (policy / agent
// config), never a value from the relay or the technician. Loopback only.
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import type { ScreenEndpoint } from './screen-channel.js';

export const screenServerSchema = z.strictObject({
  host: z.enum(['127.0.0.1', '::1']).describe('Loopback address of the local VNC server.'),
  port: z.number().int().min(1).max(65535).describe('TCP port of the local VNC server.'),
  passwordFile: z.string().min(1).max(1024).optional().describe('File whose first line is the VNC password (VNC authentication).'),
});
export type ScreenServerPolicy = z.infer<typeof screenServerSchema>;

/** Resolve the policy's endpoint; the password file is read at each open (rotated passwords work). */
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
