// Central audit retention (seed 002: logs kept at least 30 days).
import type { RelayStorage } from './storage/storage.js';

export const MIN_RETENTION_DAYS = 30;
export const DEFAULT_RETENTION_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

export function parseRetentionDays(value: string | undefined): number {
  const days = value === undefined ? DEFAULT_RETENTION_DAYS : Number(value);
  if (!Number.isInteger(days) || days < MIN_RETENTION_DAYS) throw new RangeError(`retention must be a whole number of days >= ${MIN_RETENTION_DAYS}`);
  return days;
}

/** Remove audit records older than the retention window; returns how many went. */
export function applyRetention(storage: RelayStorage, days: number, nowMs: number): Promise<number> {
  return storage.pruneAudit(new Date(nowMs - Math.max(days, MIN_RETENTION_DAYS) * DAY_MS).toISOString());
}

export const RETENTION_INTERVAL_MS = DAY_MS;
