// The technician's own check of the device (issue 17): at request time the CLI
// fetches the device's enrolled key from the relay, holds its fingerprint
// against the known-devices file (trust on first use, audited re-keys only),
// and then verifies every device-signed frame itself, so an "accepted" is the
// user's device's word, not only the relay's.
import { newMessageId } from '../../protocol/frame.js';
import { isDeviceSignable, verifyDeviceMessage, type DeviceSignable } from '../../protocol/device-signatures.js';
import type { Message, SignedAgreedWindow } from '../../protocol/messages.js';
import { verifyAgreedWindowSignature } from '../../protocol/signed-messages.js';
import { keyFingerprint } from '../../protocol/signing.js';
import { KnownDevicesError, keyChangeWarning, type KnownDevices, type KnownDeviceVerdict } from '../known-devices.js';
import type { RefusalCode } from './outcome-event.js';
import type { TechnicianClient } from './technician-client.js';

export type DeviceTrust =
  | { ok: true; key: Message<'device.key'>; verdict: Exclude<KnownDeviceVerdict, { kind: 'changed' }> }
  | { ok: false; code: RefusalCode; detail: string };

/** Ask the relay for the device's enrolled key; null if the connection closed first. */
export async function fetchDeviceKey(
  client: TechnicianClient,
  deviceId: string,
): Promise<Message<'device.key'> | Message<'error'> | null> {
  const ask: Message<'tech.device-key'> = { v: 1, type: 'tech.device-key', id: newMessageId(), deviceId };
  const answer = client.waitFor((m) =>
    (m.type === 'device.key' && m.deviceId === deviceId) || (m.type === 'error' && m.re === ask.id) ? m : undefined,
  );
  client.send(ask);
  return answer;
}

/** Fetch the key and hold it against what this technician remembers for that relay. */
export async function establishDeviceTrust(
  client: TechnicianClient,
  relay: string,
  deviceId: string,
  known: KnownDevices,
  nowIso: string,
): Promise<DeviceTrust> {
  const key = await fetchDeviceKey(client, deviceId);
  if (key === null) return { ok: false, code: 'connect-failed', detail: 'the relay closed the connection' };
  if (key.type === 'error') return { ok: false, code: key.code, detail: key.detail ?? key.code };
  // The relay's stated fingerprint must be that of the key it hands over.
  if (keyFingerprint(key.publicKey) !== key.fingerprint) {
    return { ok: false, code: 'bad-signature', detail: `the relay states fingerprint ${key.fingerprint} for another key` };
  }
  const verdict = known.check(relay, deviceId, { fingerprint: key.fingerprint, rekeys: key.rekeys }, nowIso);
  if (verdict.kind === 'changed') return { ok: false, code: 'key-changed', detail: keyChangeWarning(deviceId, verdict, known.path) };
  return { ok: true, key, verdict };
}

/** One line for people: the fingerprint and why it is trusted. */
export function describeTrust(deviceId: string, trust: Extract<DeviceTrust, { ok: true }>, path: string): string {
  const fp = trust.key.fingerprint;
  switch (trust.verdict.kind) {
    case 'first-use':
      return `device ${deviceId} key fingerprint: ${fp} (first use: remembered in ${path})`;
    case 'known':
      return `device ${deviceId} key fingerprint: ${fp} (known)`;
    case 'rekeyed':
      return `device ${deviceId} key fingerprint: ${fp} (re-keyed by an admin from ${trust.verdict.from}, audited)`;
  }
}

export type DeviceFrameVerdict =
  | { kind: 'not-signed-type' }
  | { kind: 'verified'; deviceKeyFingerprint: string }
  /** A decision the relay made itself (expiry): it grants nothing, and no device signed it. */
  | { kind: 'relay-made' }
  | { kind: 'refused'; detail: string };

/** Verifies device-signed frames of one request against the key fetched at request time. */
export class DeviceFrameCheck {
  private sessionRequestId: string | undefined;

  constructor(
    private readonly deviceId: string,
    private readonly devicePublicKey: string,
  ) {}

  /** The request the session answers (from session.pending). */
  expectRequest(requestId: string): void {
    this.sessionRequestId = requestId;
  }

  check(msg: Message): DeviceFrameVerdict {
    if (!isDeviceSignable(msg)) return { kind: 'not-signed-type' };
    // Default deny: only a decision that grants nothing may come without a device signature.
    if (!msg.deviceSig && msg.type === 'session.decision' && msg.granted.length === 0) return { kind: 'relay-made' };
    const requestId = this.requestOf(msg);
    const verdict = verifyDeviceMessage(msg, {
      deviceId: this.deviceId,
      devicePublicKey: this.devicePublicKey,
      ...(requestId !== undefined ? { requestId } : {}),
    });
    if (verdict.ok) return { kind: 'verified', deviceKeyFingerprint: verdict.deviceKeyFingerprint };
    return { kind: 'refused', detail: `${verdict.detail} (device ${this.deviceId}, key ${keyFingerprint(this.devicePublicKey)})` };
  }

  /** An agreed window (issue 20): signed by this device's key, for this device and the proposal this technician made. */
  checkAgreedWindow(signed: SignedAgreedWindow): DeviceFrameVerdict {
    const w = signed.window;
    const key = `(device ${this.deviceId}, key ${keyFingerprint(this.devicePublicKey)})`;
    if (w.deviceId !== this.deviceId || (this.sessionRequestId !== undefined && w.requestId !== this.sessionRequestId)) {
      return { kind: 'refused', detail: `the agreed window is bound to another device or request ${key}` };
    }
    if (!verifyAgreedWindowSignature(signed, this.devicePublicKey)) return { kind: 'refused', detail: `the agreed window's device signature does not verify ${key}` };
    return { kind: 'verified', deviceKeyFingerprint: keyFingerprint(this.devicePublicKey) };
  }

  /** Which request the signature must be bound to, as far as this technician knows it. */
  private requestOf(msg: DeviceSignable): string | undefined {
    switch (msg.type) {
      case 'session.decision':
      case 'session.started':
        return this.sessionRequestId;
      case 'session.scope-update':
        return msg.requestId ?? this.sessionRequestId;
      case 'session.summary':
        return this.sessionRequestId;
    }
  }
}

/** Where `porchlight request` writes: stdout lines to act on, notes (stderr for people). */
export interface TrustOutput {
  line(kind: string, text: string, extra?: Record<string, unknown>): void;
  note(kind: string, text: string, extra?: Record<string, unknown>): void;
}

/**
 * Before the request is sent: fetch and hold the device key, print its fingerprint. The frame check to use from
 * then on, or the refusal's detail (nothing was sent).
 */
export async function trustDeviceBeforeRequest(
  client: TechnicianClient,
  relay: string,
  deviceId: string,
  known: KnownDevices,
  out: TrustOutput,
  nowIso: string,
): Promise<{ ok: true; check: DeviceFrameCheck } | { ok: false; code: RefusalCode; detail: string }> {
  let trust: DeviceTrust;
  try {
    trust = await establishDeviceTrust(client, relay, deviceId, known, nowIso);
  } catch (err) {
    if (err instanceof KnownDevicesError) return { ok: false, code: err.code, detail: err.message };
    throw err;
  }
  if (!trust.ok) return trust;
  const { fingerprint, publicKey } = trust.key;
  out.line('device-key', describeTrust(deviceId, trust, known.path), { deviceId, fingerprint, trust: trust.verdict.kind });
  return { ok: true, check: new DeviceFrameCheck(deviceId, publicKey) };
}

/** The loud refusal of a frame the device did not sign (or signed for something else). */
export function unverifiedFrameWarning(msg: Message, detail: string): string {
  return [
    `REFUSED: this ${msg.type} is not signed by the user's device: ${detail}.`,
    'The relay (or something between it and you) passed on an answer the device did not give;',
    'nothing in it is taken as granted, and the request or session is being ended.',
  ].join('\n');
}
