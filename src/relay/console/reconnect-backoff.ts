// How long the console waits before each try to get its relay connection back:
// doubling from a quarter second to at most 8 s, each wait drawn from its upper
// half so a room of consoles that lost the same instance does not return in step.

export const RECONNECT_BASE_MS = 250;
export const RECONNECT_CAP_MS = 8_000;

/** The wait before try `attempt` (1 for the first try after the loss); `random` in [0, 1). */
export function reconnectDelayMs(attempt: number, random: number): number {
  const ceiling = Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + 0.5 * random));
}
