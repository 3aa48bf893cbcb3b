// Trust on first use for device keys (like SSH's known_hosts), as one rule the
// CLI (known-devices.json) and the console (the browser's storage) share: a
// key seen for the first time is remembered; later it must match, or have
// moved on only through re-keys the relay's central audit records.

/** What the relay presents (`device.key`): the device's current key fingerprint and its audited re-keys, oldest first. */
export interface PresentedDeviceKey {
  fingerprint: string;
  rekeys: ReadonlyArray<{ at: string; from: string; to: string }>;
}

export type KnownDeviceVerdict =
  | { kind: 'first-use'; fingerprint: string }
  | { kind: 'known'; fingerprint: string }
  | { kind: 'rekeyed'; from: string; to: string }
  | { kind: 'changed'; known: string; presented: string };

/** `remembered`: the fingerprint on record for this relay and device, if any. */
export function judgeDeviceKey(remembered: string | undefined, presented: PresentedDeviceKey): KnownDeviceVerdict {
  if (remembered === undefined) return { kind: 'first-use', fingerprint: presented.fingerprint };
  if (remembered === presented.fingerprint) return { kind: 'known', fingerprint: remembered };
  // Follow the audited re-keys from the remembered key; only a chain that ends at the presented key counts.
  let current = remembered;
  for (const r of presented.rekeys) if (r.from === current) current = r.to;
  if (current !== presented.fingerprint) return { kind: 'changed', known: remembered, presented: presented.fingerprint };
  return { kind: 'rekeyed', from: remembered, to: presented.fingerprint };
}
