// The technician's known devices, like SSH's known_hosts: the first time a
// device's key fingerprint is seen for a relay it is remembered; later it must
// match, or have moved on only through re-keys the relay's central audit
// records. Anything else is refused, loudly, naming both fingerprints.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { identifier, isoTimestamp } from '../protocol/primitives.js';
import { judgeDeviceKey, type KnownDeviceVerdict, type PresentedDeviceKey } from '../protocol/device-key-trust.js';
import { technicianConfigDir } from './technician-config-dir.js';

export const KNOWN_DEVICES_FILE = 'known-devices.json';
/** Bound on remembered devices: the file stays small enough to read on every request. */
export const MAX_KNOWN_DEVICES = 50_000;

const fingerprint = z.string().regex(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){4}$/, 'is not a key fingerprint');
const entrySchema = z.strictObject({
  relay: z.string().min(1).max(200),
  deviceId: identifier,
  fingerprint,
  firstSeenAt: isoTimestamp,
  updatedAt: isoTimestamp,
});
const fileSchema = z.strictObject({ v: z.literal(1), devices: z.array(entrySchema).max(MAX_KNOWN_DEVICES) });
type Entry = z.infer<typeof entrySchema>;

export type { KnownDeviceVerdict, PresentedDeviceKey } from '../protocol/device-key-trust.js';

export class KnownDevicesError extends Error {
  readonly code = 'known-devices-damaged';
}

export function knownDevicesPath(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  return join(technicianConfigDir(env, platform), KNOWN_DEVICES_FILE);
}

/** The loud refusal: both fingerprints, and what would make it legitimate. */
export type KeyChanged = Extract<KnownDeviceVerdict, { kind: 'changed' }>;

export function keyChangeWarning(deviceId: string, v: KeyChanged, path: string): string {
  return [
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    `@  WARNING: THE KEY OF DEVICE ${deviceId} HAS CHANGED`,
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    `remembered key fingerprint: ${v.known}`,
    `key the relay presents now: ${v.presented}`,
    'The relay records no audited re-key from the remembered key to this one, so an answer',
    'signed by it may not come from the user\'s device. Nothing was sent.',
    `If an admin re-keyed the device (relay enroll-device --rekey), check with them, then remove`,
    `the device's line from ${path}.`,
  ].join('\n');
}

export class KnownDevices {
  constructor(readonly path: string) {}

  /** Compare what the relay presents with what is remembered; remember first uses and audited re-keys. */
  check(relay: string, deviceId: string, presented: PresentedDeviceKey, nowIso: string): KnownDeviceVerdict {
    const entries = this.read();
    const entry = entries.find((e) => e.relay === relay && e.deviceId === deviceId);
    const verdict = judgeDeviceKey(entry?.fingerprint, presented);
    if (verdict.kind === 'first-use') {
      if (entries.length >= MAX_KNOWN_DEVICES) entries.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt)).shift();
      entries.push({ relay, deviceId, fingerprint: presented.fingerprint, firstSeenAt: nowIso, updatedAt: nowIso });
      this.write(entries);
    } else if (verdict.kind === 'rekeyed' && entry) {
      entry.fingerprint = verdict.to;
      entry.updatedAt = nowIso;
      this.write(entries);
    }
    return verdict;
  }

  private read(): Entry[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new KnownDevicesError(`cannot read ${this.path}: ${(err as Error).message}`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    const parsed = fileSchema.safeParse(data);
    // Never start over silently: an emptied file would turn every device into a first use.
    if (!parsed.success) {
      const detail = 'fix or remove it (every device is then trusted on first use again)';
      throw new KnownDevicesError(`${this.path} is damaged; ${detail}`);
    }
    return parsed.data.devices;
  }

  private write(devices: Entry[]): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    // Per process: two requests at once must not write the same temporary file.
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ v: 1, devices }, null, 1)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
