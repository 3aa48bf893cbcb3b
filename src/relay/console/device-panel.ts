// The devices panel's controls: ask the relay for the list, filter it as the
// technician types, and fill the request's device id when one is chosen.
import { newMessageId } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import { renderDevices, setDevices } from './device-list.js';
import { $ } from './live-view.js';

let send: (msg: Message) => void = () => undefined;

/** From Refresh, the relay searches what is typed (for lists over 200); otherwise all devices. */
export function askForDevices(withSearch = false): void {
  const search = withSearch ? $<HTMLInputElement>('device-search').value.trim() : '';
  send({ v: 1, type: 'tech.devices', id: newMessageId(), ...(search ? { search } : {}) });
}

function chooseDevice(deviceId: string): void {
  $<HTMLInputElement>('device').value = deviceId;
  $<HTMLInputElement>('ticket').focus();
}

function showDevices(): void {
  renderDevices($('device-list'), $('devices-note'), $<HTMLInputElement>('device-search').value, chooseDevice);
}

export function devicesArrived(msg: Message<'devices'>): void {
  setDevices(msg);
  showDevices();
}

/** The list is what the relay said before the connection was lost; fetched again once reconnected. */
export function devicesOutOfDate(): void {
  $('devices-note').textContent = 'Not up to date: reconnecting to the relay. The list is fetched again once reconnected.';
}

export function bindDevicePanel(sendFrame: (msg: Message) => void): void {
  send = sendFrame;
  $('device-search').addEventListener('input', showDevices);
  $('devices-refresh').addEventListener('click', () => askForDevices(true));
}
