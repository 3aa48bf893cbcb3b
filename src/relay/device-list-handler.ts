// `tech.devices`: the enrolled devices for the console's device list, each
// online or not, when last seen, whether the relay refused it for its clock
// a short while ago, and with whom it is in a session. Only devices the relay knows; bounded per answer.
import { newMessageId } from '../protocol/frame.js';
import { MAX_LISTED_DEVICES, type Message } from '../protocol/messages.js';
import type { Peer } from './peer.js';
import type { RelayStorage } from './storage/storage.js';

export interface DeviceStatusSource {
  isOnline(deviceId: string): boolean;
  recentClockRefusal(deviceId: string): number | undefined;
  liveSession(deviceId: string): { technicianName: string; ticketId: string } | undefined;
}

export async function answerDeviceListRequest(peer: Peer, storage: RelayStorage, status: DeviceStatusSource, msg: Message<'tech.devices'>): Promise<void> {
  const needle = msg.search?.trim().toLowerCase() ?? '';
  const rows = (await storage.listDevices())
    .filter((d) => needle === '' || d.deviceId.toLowerCase().includes(needle))
    .map((d) => {
      const skew = status.recentClockRefusal(d.deviceId);
      const session = status.liveSession(d.deviceId);
      return {
        deviceId: d.deviceId,
        online: status.isOnline(d.deviceId),
        lastSeenAt: d.lastSeenAt,
        ...(skew === undefined ? {} : { clockSkewMs: Math.round(skew) }),
        ...(session ? { session } : {}),
      };
    })
    // Online first, then the most recently seen: what a help desk looks for.
    .sort((a, b) => Number(b.online) - Number(a.online) || (b.lastSeenAt ?? '').localeCompare(a.lastSeenAt ?? '') || a.deviceId.localeCompare(b.deviceId));
  peer.send({ v: 1, type: 'devices', id: newMessageId(), re: msg.id, devices: rows.slice(0, MAX_LISTED_DEVICES), truncated: rows.length > MAX_LISTED_DEVICES });
}
