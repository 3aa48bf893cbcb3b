// "Time left" in the live panel, counting down to the session's end as the
// device reported it (session.started / scope-update endsAt).
import { clock } from '../../shared/countdown-text.js';

/** Shows the time left in `el` once a second until `endsAt`; returns the stop. */
export function showTimeLeft(el: { textContent: string | null }, endsAt: string, now: () => number = Date.now): () => void {
  const deadline = Date.parse(endsAt);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = () => {
    const left = deadline - now();
    if (left <= 0) {
      el.textContent = 'Time is up: the device ends the session.';
      return;
    }
    el.textContent = `Time left: ${clock(left)}`;
    // Wake at the next whole second so the display never skips one.
    timer = setTimeout(tick, left % 1000 || 1000);
  };
  tick();
  return () => clearTimeout(timer);
}
