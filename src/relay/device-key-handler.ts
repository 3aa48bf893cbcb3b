// `tech.device-key`: a technician asks which key a device is enrolled with, at
// request time, so it can check the device's signatures itself and remember
// the key's fingerprint (trust on first use). The answer carries the audited
// re-keys so an admin's re-key is told apart from a silent key swap.
import { errorMessage, newMessageId } from '../protocol/frame.js';
import type { Message } from '../protocol/messages.js';
import { keyFingerprint } from '../protocol/signing.js';
import type { Peer } from './peer.js';
import type { RelayStorage } from './storage/storage.js';

/** The newest re-keys the answer carries (the schema's bound). */
const MAX_REKEYS = 20;

export async function answerDeviceKeyRequest(
  peer: Peer,
  storage: RelayStorage,
  msg: Message<'tech.device-key'>,
): Promise<void> {
  const device = await storage.getDevice(msg.deviceId);
  if (!device) return peer.send(errorMessage('unknown-device', `no device ${msg.deviceId} is enrolled`, msg.id));
  const records = await storage.queryAudit({ deviceId: msg.deviceId, kinds: ['device-rekeyed'] });
  const rekeys = records
    .slice(-MAX_REKEYS)
    .flatMap((r) => (r.kind === 'device-rekeyed' ? [{ at: r.at, from: r.data.from, to: r.data.to }] : []));
  peer.send({
    v: 1,
    type: 'device.key',
    id: newMessageId(),
    deviceId: device.deviceId,
    publicKey: device.publicKey,
    fingerprint: keyFingerprint(device.publicKey),
    enrolledAt: device.enrolledAt,
    rekeys,
  });
}
