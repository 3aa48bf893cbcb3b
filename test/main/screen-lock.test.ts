// The screen-lock sensor at the Electron boundary: powerMonitor's lock-screen / unlock-screen events and its
// 'locked' idle state say locked; nothing else does (idle is not away), and a throwing platform call asks the user.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { screenLockSensor, type LockSource } from '../../src/main/screen-lock.js';

function fakePowerMonitor(state: () => string) {
  const thresholds: number[] = [];
  const source = Object.assign(new EventEmitter(), {
    getSystemIdleState(threshold: number) {
      thresholds.push(threshold);
      return state();
    },
  });
  return { source, thresholds, asSource: source as unknown as LockSource };
}

describe('screenLockSensor', () => {
  it('follows lock-screen and unlock-screen (macOS, Windows)', () => {
    const pm = fakePowerMonitor(() => 'active');
    const sensor = screenLockSensor(pm.asSource);
    expect(sensor.screenLocked()).toBe(false);
    pm.source.emit('lock-screen');
    expect(sensor.screenLocked()).toBe(true);
    pm.source.emit('unlock-screen');
    expect(sensor.screenLocked()).toBe(false);
  });

  it("takes getSystemIdleState's 'locked', never 'idle' or 'unknown', as locked", () => {
    let state = 'locked';
    const pm = fakePowerMonitor(() => state);
    const sensor = screenLockSensor(pm.asSource);
    expect(sensor.screenLocked()).toBe(true);
    for (state of ['idle', 'unknown', 'active']) expect(sensor.screenLocked()).toBe(false);
    expect(pm.thresholds.every((t) => t > 0)).toBe(true);
  });

  it('says not locked when the platform call throws: the user is asked, as without a sensor', () => {
    const pm = fakePowerMonitor(() => {
      throw new Error('not supported');
    });
    expect(screenLockSensor(pm.asSource).screenLocked()).toBe(false);
  });
});
