// The console's line about its relay connection, in the header beside who is
// signed in: a connection that went away is said here, while the desk (the
// request form, the live panel, the conversation) stays where it was.
import { $ } from './live-view.js';

/** How long "Reconnected" stays before the line goes quiet again. */
const RECONNECTED_SHOWN_MS = 15_000;
let quietTimer: ReturnType<typeof setTimeout> | undefined;

export type LinkState = { kind: 'reconnecting'; attempt: number; lostAtMs: number } | { kind: 'reconnected'; afterMs: number } | { kind: 'connected' };

export function showLink(state: LinkState): void {
  const line = $('link');
  clearTimeout(quietTimer);
  line.hidden = state.kind === 'connected';
  line.className = `link ${state.kind}`;
  if (state.kind === 'reconnecting') {
    const since = new Date(state.lostAtMs).toLocaleTimeString();
    line.textContent = `Reconnecting to the relay (lost at ${since}, try ${state.attempt}) ...`;
  } else if (state.kind === 'reconnected') {
    line.textContent = `Reconnected after ${(state.afterMs / 1000).toFixed(1)} s`;
    quietTimer = setTimeout(() => showLink({ kind: 'connected' }), RECONNECTED_SHOWN_MS);
  } else {
    line.textContent = '';
  }
}
