// Whether the screen is locked, where the platform tells us (issue 20: a manager
// approval applies without a prompt only when nobody can be at the screen).
// Electron's powerMonitor emits lock-screen / unlock-screen on macOS and
// Windows, and getSystemIdleState answers 'locked' where the OS reports it;
// anywhere else it never says locked, so the user is asked as usual.
import type { PowerMonitor } from 'electron';
import type { ScreenLockSensor } from '../core/consent/approval-when-away.js';

/** The part of powerMonitor this reads (tests pass a fake: the Electron boundary). */
export type LockSource = Pick<PowerMonitor, 'on' | 'getSystemIdleState'>;

/** Idle threshold for getSystemIdleState (seconds); only its 'locked' answer counts here, never idleness. */
const IDLE_THRESHOLD_SEC = 60;

export function screenLockSensor(source: LockSource): ScreenLockSensor {
  let lockedByEvent = false;
  source.on('lock-screen', () => {
    lockedByEvent = true;
  });
  source.on('unlock-screen', () => {
    lockedByEvent = false;
  });
  return {
    screenLocked() {
      if (lockedByEvent) return true;
      try {
        return source.getSystemIdleState(IDLE_THRESHOLD_SEC) === 'locked';
      } catch {
        return false; // can't tell: ask the user (the prompt still times out into the approval)
      }
    },
  };
}
