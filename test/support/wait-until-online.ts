// The one wait for "the relay sees this device online", used by every test that
// starts a real agent (in-process or as a child process) against a real relay.
import { until, type WaitOptions } from './bounded-wait.js';

interface RelayWithRouter {
  router: { isOnline(deviceId: string): boolean; readonly onlineAgents: number };
}

/** Resolves once `relay` routes to `deviceId`; fails with how many agents were online instead. */
export function waitUntilOnline(relay: RelayWithRouter, deviceId: string, o: WaitOptions = {}): Promise<void> {
  return until(
    () => relay.router.isOnline(deviceId),
    `device ${deviceId} to be online at the relay`,
    () => `${relay.router.onlineAgents} other agent(s) online, not ${deviceId}`,
    o,
  );
}

/** An agent started as a child process first has to start Node and load the built CLI. */
export const CHILD_PROCESS_START_MS = 15_000;
