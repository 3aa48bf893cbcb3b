// How many requests wait for a decision, per technician account (across all
// its connections) and per device (across all technicians). A slot is held
// from the moment a request passes the check (before its audit write, so
// requests arriving together on many connections can't all slip past) until
// the request is decided, cancelled or expired.

export interface PendingLimits {
  /** Pending requests one technician account may have, over all its connections. */
  perTechnician: number;
  /** Pending requests one device may have, from all technicians together. */
  perDevice: number;
}

export class PendingCaps {
  private readonly byTechnician = new Map<string, number>();
  private readonly byDevice = new Map<string, number>();

  constructor(readonly limits: PendingLimits) {}

  /** Why one more request from this technician to this device is refused, or undefined when it fits. */
  refusal(technicianId: string, deviceId: string): string | undefined {
    const { perTechnician, perDevice } = this.limits;
    if ((this.byTechnician.get(technicianId) ?? 0) >= perTechnician) return this.refusalText('technician', deviceId);
    if ((this.byDevice.get(deviceId) ?? 0) >= perDevice) return this.refusalText('device', deviceId);
    return undefined;
  }

  /** The words for a full count (this instance's, or the one all instances share). */
  refusalText(full: 'technician' | 'device', deviceId: string): string {
    const { perTechnician, perDevice } = this.limits;
    if (full === 'technician') {
      const what = `at most ${perTechnician} pending requests per technician (over all connections)`;
      return `${what}; wait for a decision or cancel one`;
    }
    return `device ${deviceId} already has ${perDevice} pending requests; try again once one is decided`;
  }

  hold(technicianId: string, deviceId: string): void {
    bump(this.byTechnician, technicianId, 1);
    bump(this.byDevice, deviceId, 1);
  }

  release(technicianId: string, deviceId: string): void {
    bump(this.byTechnician, technicianId, -1);
    bump(this.byDevice, deviceId, -1);
  }

  /** Keys held (tests check nothing leaks). */
  get size(): { technicians: number; devices: number } {
    return { technicians: this.byTechnician.size, devices: this.byDevice.size };
  }

  clear(): void {
    this.byTechnician.clear();
    this.byDevice.clear();
  }
}

/** Counts stay positive; a key at zero is dropped, so the maps hold only what is pending. */
function bump(map: Map<string, number>, key: string, by: number): void {
  const next = (map.get(key) ?? 0) + by;
  if (next > 0) map.set(key, next);
  else map.delete(key);
}
