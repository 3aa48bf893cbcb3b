// Waits that fail fast and say what they saw. A harness wait that never ends
// turns a broken defence into "Test timed out in 30000ms"; these end in a few
// seconds with what was awaited and what had arrived instead.

/** How long a harness waits for something that, with a working agent or relay, happens in milliseconds. */
export const HARNESS_WAIT_MS = 4000;

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

export interface WaitOptions {
  /** Milliseconds before giving up (default HARNESS_WAIT_MS). */
  ms?: number;
}

/** `promise`, or a WaitTimeoutError naming `what` and `seen()` once `ms` have passed. */
export function within<T>(promise: Promise<T>, what: string, seen: () => string, o: WaitOptions = {}): Promise<T> {
  const ms = o.ms ?? HARNESS_WAIT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeoutError(`waited ${ms} ms for ${what}; saw ${seen()}`)), ms);
    timer.unref?.();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** `within` for a wait with nothing to report beyond its name (an event that either happens or not). */
export function inTime<T>(promise: Promise<T>, what: string, ms = 3000): Promise<T> {
  return within(promise, what, () => 'it did not happen', { ms });
}

/** Poll `check` every 10 ms until it is true; a WaitTimeoutError naming `what` and `seen()` after `ms`. */
export async function until(check: () => boolean, what: string, seen: () => string, o: WaitOptions = {}): Promise<void> {
  const ms = o.ms ?? HARNESS_WAIT_MS;
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new WaitTimeoutError(`waited ${ms} ms for ${what}; saw ${seen()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A short, one-line description of received frames for a wait's message. */
export function describeFrames(frames: readonly { type: string }[], last = 8): string {
  if (frames.length === 0) return 'no frames';
  const shown = frames.slice(-last).map((f) => JSON.stringify(f).slice(0, 200));
  return `${frames.length} frame(s)${frames.length > last ? `, the last ${last}` : ''}: ${shown.join(' | ')}`;
}
