// What relay instances share to route frames between them: pub/sub channels and a presence
// table (device -> instance) with per-instance liveness. redis-bus.ts implements it over Redis;
// bus-peer-directory.ts builds routing on it. The bus is trusted infrastructure (its own auth and
// TLS), but every envelope and frame that comes off it is parsed again.
import type { SharedPendingCounts } from '../routing/shared-pending.js';

export interface Bus {
  publish(channel: string, message: string): Promise<void>;
  /** Deliver every message on `channel` to `handler` (in publish order per publisher). */
  subscribe(channel: string, handler: (message: string) => void): Promise<void>;
  setPresence(deviceId: string, instance: string): Promise<void>;
  /** Remove the device's entry only while it still names `instance` (a newer one may have replaced it). */
  clearPresence(deviceId: string, instance: string): Promise<void>;
  allPresence(): Promise<Map<string, string>>;
  /** This instance is alive for `ttlMs` more. */
  markAlive(instance: string, ttlMs: number): Promise<void>;
  isAlive(instance: string): Promise<boolean>;
  markGone(instance: string): Promise<void>;
  /** Pending-request counts shared by every instance (routing/shared-pending.ts). */
  readonly pending: SharedPendingCounts;
  close(): Promise<void>;
}

export const BUS_CHANNELS = {
  presence: 'porchlight:presence',
  instance: (id: string) => `porchlight:to:${id}`,
} as const;
