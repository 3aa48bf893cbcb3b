// The words for a clock that is off, shared by the relay (an agent refused at
// hello) and the agent (a request that looks expired or from the future), so
// the technician reads the same offset and the same fix from either side.
import { MAX_FUTURE_SKEW_MS } from '../protocol/limits.js';

/** "6 min 2 s": whole seconds, minutes when there are any. */
export function offsetDuration(ms: number): string {
  const total = Math.round(Math.abs(ms) / 1000);
  const min = Math.floor(total / 60);
  const sec = total % 60;
  if (min === 0) return `${sec} s`;
  return sec === 0 ? `${min} min` : `${min} min ${sec} s`;
}

/**
 * "its clock is 6 min 2 s ahead of the relay (limit 5 min). Fix the device's time (NTP)."
 * `offsetMs` is the device's clock minus the relay's (positive: the device is ahead).
 */
export function clockSkewText(whose: string, offsetMs: number): string {
  const direction = offsetMs >= 0 ? 'ahead of' : 'behind';
  const limit = offsetDuration(MAX_FUTURE_SKEW_MS);
  return `${whose} clock is ${offsetDuration(offsetMs)} ${direction} the relay (limit ${limit}). Fix the device's time (NTP).`;
}
