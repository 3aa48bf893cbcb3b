// Devices the relay refused at hello because their clock is off by more than
// the allowance. A technician asking for such a device reads that it is
// reachable but refused, and by how much its clock is off, instead of "not
// connected" (which sends them chasing a network problem). The relay log
// hears of it at most once a minute per device, the central audit at most
// once an hour. Bounded: past the cap the device refused longest ago goes.
import { clockSkewText } from '../../shared/clock-skew-text.js';

export const CLOCK_SKEW_LIMITS = {
  /** Devices remembered at once. */
  maxDevices: 10_000,
  /** A refusal older than this no longer answers a technician (the agent retries well within it). */
  answerForMs: 10 * 60_000,
  logEveryMs: 60_000,
  auditEveryMs: 3_600_000,
} as const;

interface Entry {
  offsetMs: number;
  /** Last refusal; undefined once the device connected again. */
  refusedAtMs: number | undefined;
  loggedAtMs: number;
  auditedAtMs: number;
}

export class ClockSkewRefusals {
  private readonly byDevice = new Map<string, Entry>();

  constructor(private readonly maxDevices: number = CLOCK_SKEW_LIMITS.maxDevices) {}

  /** Remember a refusal; says whether the log and the central audit are due to hear of it. */
  note(deviceId: string, offsetMs: number, nowMs: number): { log: boolean; audit: boolean } {
    const before = this.byDevice.get(deviceId);
    const log = before === undefined || nowMs - before.loggedAtMs >= CLOCK_SKEW_LIMITS.logEveryMs;
    const audit = before === undefined || nowMs - before.auditedAtMs >= CLOCK_SKEW_LIMITS.auditEveryMs;
    const entry: Entry = {
      offsetMs,
      refusedAtMs: nowMs,
      loggedAtMs: log ? nowMs : before!.loggedAtMs,
      auditedAtMs: audit ? nowMs : before!.auditedAtMs,
    };
    // Re-insert so Map order is least recently refused first.
    this.byDevice.delete(deviceId);
    this.byDevice.set(deviceId, entry);
    if (this.byDevice.size > this.maxDevices) this.byDevice.delete(this.byDevice.keys().next().value!);
    return { log, audit };
  }

  /** The device connected: it no longer answers technicians, but the audit's hourly gate stays. */
  connected(deviceId: string): void {
    const entry = this.byDevice.get(deviceId);
    if (entry) entry.refusedAtMs = undefined;
  }

  /** The clock offset of a recent refusal of this device, if any. */
  recentOffset(deviceId: string, nowMs: number): number | undefined {
    const entry = this.byDevice.get(deviceId);
    if (entry?.refusedAtMs === undefined || nowMs - entry.refusedAtMs > CLOCK_SKEW_LIMITS.answerForMs) return undefined;
    return entry.offsetMs;
  }

  get size(): number {
    return this.byDevice.size;
  }
}

/** What the technician reads for a device refused for its clock. */
export function clockSkewRefusalText(deviceId: string, offsetMs: number): string {
  return `device ${deviceId} is reachable but was refused: ${clockSkewText('its', offsetMs)}`;
}
