// The device list: what the relay says about enrolled devices (online, last
// seen, refused for its clock, in a session with whom), filtered here as the technician types.
// Choosing a device fills the request's device id. Text only, never markup.
import type { Message } from '../../protocol/messages.js';

import { agoInWords, statusInWords, type Listed } from './device-words.js';

let listed: Listed[] = [];
let truncated = false;

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
      const state = d.clockSkewMs !== undefined ? 'skew' : d.online && d.session ? 'busy' : d.online ? 'online' : 'offline';
      status.className = `device-status ${state}`;
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
