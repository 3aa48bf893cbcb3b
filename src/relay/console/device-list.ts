// The device list: what the relay says about enrolled devices (online, last
// seen, refused for its clock), filtered here as the technician types.
// Choosing a device fills the request's device id. Text only, never markup.
import type { Message } from '../../protocol/messages.js';

type Listed = Message<'devices'>['devices'][number];

let listed: Listed[] = [];
let truncated = false;

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
  if (d.online) return 'online';
  return d.lastSeenAt ? `offline, last seen ${agoInWords(d.lastSeenAt)}` : 'offline, never seen';
}

/** What the list knows of a device, for an error in words ("last seen 3 h ago"). */
export function lastSeenOf(deviceId: string): string | undefined {
  const d = listed.find((e) => e.deviceId === deviceId);
  return d?.lastSeenAt ? agoInWords(d.lastSeenAt) : undefined;
}

export function setDevices(msg: Message<'devices'>): void {
  listed = msg.devices;
  truncated = msg.truncated;
}

export function renderDevices(list: HTMLElement, note: HTMLElement, filter: string, choose: (deviceId: string) => void): void {
  const needle = filter.trim().toLowerCase();
  const shown = listed.filter((d) => d.deviceId.toLowerCase().includes(needle));
  list.replaceChildren(
    ...shown.map((d) => {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'device';
      button.dataset.deviceId = d.deviceId;
      const name = document.createElement('span');
      name.className = 'device-name';
      name.textContent = d.deviceId;
      const status = document.createElement('span');
      status.className = d.clockSkewMs !== undefined ? 'device-status skew' : d.online ? 'device-status online' : 'device-status offline';
      status.textContent = statusInWords(d);
      if (d.lastSeenAt) button.title = `Last seen ${new Date(d.lastSeenAt).toLocaleString()}`;
      button.append(name, status);
      button.addEventListener('click', () => choose(d.deviceId));
      li.append(button);
      return li;
    }),
  );
  const online = listed.filter((d) => d.online).length;
  note.textContent =
    listed.length === 0 ? 'No devices are enrolled with this relay yet.' : `${shown.length} shown of ${listed.length}${truncated ? '+' : ''}; ${online} online.${truncated ? ' Search on the relay to find others.' : ''}`;
}
