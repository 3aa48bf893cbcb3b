// How long the console waits before each try to get its relay connection back.
import { describe, expect, it } from 'vitest';
import { reconnectDelayMs, RECONNECT_BASE_MS, RECONNECT_CAP_MS } from '../../src/relay/console/reconnect-backoff.js';

describe('console reconnect backoff', () => {
  it('doubles from the base to the cap, each wait in the upper half of its step', () => {
    expect(reconnectDelayMs(1, 0)).toBe(RECONNECT_BASE_MS / 2);
    expect(reconnectDelayMs(1, 0.999)).toBeLessThanOrEqual(RECONNECT_BASE_MS);
    expect(reconnectDelayMs(3, 0)).toBe(RECONNECT_BASE_MS * 2);
    for (const attempt of [10, 50, 1000]) {
      expect(reconnectDelayMs(attempt, 0.999)).toBeLessThanOrEqual(RECONNECT_CAP_MS);
      expect(reconnectDelayMs(attempt, 0)).toBe(RECONNECT_CAP_MS / 2);
    }
  });
});
