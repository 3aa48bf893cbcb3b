// wss:// is required, except to a loopback relay or when policy explicitly allows it (development).
import { isIP } from 'node:net';

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

export function checkRelayUrl(url: string, allowInsecure: boolean): { ok: true; url: URL } | { ok: false; detail: string } {
  if (!URL.canParse(url)) return { ok: false, detail: 'relay URL is not a URL' };
  const u = new URL(url);
  if (u.protocol === 'wss:') return { ok: true, url: u };
  if (u.protocol !== 'ws:') return { ok: false, detail: 'relay URL must be ws:// or wss://' };
  if (isLoopbackHost(u.hostname) || allowInsecure) return { ok: true, url: u };
  return { ok: false, detail: 'relay URL must use wss:// (ws:// only to a loopback relay)' };
}
