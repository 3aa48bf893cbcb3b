// A listed device's state in words, for the device list and for errors ("last seen 3 h ago").
// No DOM here: the words are tested in Node.
import type { Message } from '../../protocol/messages.js';

export type Listed = Message<'devices'>['devices'][number];

/** "3 h ago", "5 min ago", "just now": coarse on purpose, the exact time is in the title. */
export function agoInWords(iso: string, nowMs = Date.now()): string {
  const sec = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  if (sec < 60) return 'just now';
  if (sec < 3600) return `${Math.round(sec / 60)} min ago`;
  if (sec < 2 * 86_400) return `${Math.round(sec / 3600)} h ago`;
  return `${Math.round(sec / 86_400)} days ago`;
}

export function statusInWords(d: Listed): string {
  if (d.clockSkewMs !== undefined) return `refused: its clock is off by ${Math.max(1, Math.round(Math.abs(d.clockSkewMs) / 60_000))} min`;
  if (d.online && d.session) return `in a session with ${d.session.technicianName} (${d.session.ticketId})`;
  if (d.online) return 'online';
  return d.lastSeenAt ? `offline, last seen ${agoInWords(d.lastSeenAt)}` : 'offline, never seen';
}
