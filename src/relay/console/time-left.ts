// "Time left" in the live panel, counting down to the session's end as the
// device reported it (session.started / scope-update endsAt). The relay may not
// import the desktop pages' countdown (layer rule), so this is its own small one.

/** 105 000 ms -> "1:45"; 3 725 000 ms -> "1:02:05". Never negative. */
export function timeLeftText(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

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
    el.textContent = `Time left: ${timeLeftText(left)}`;
    // Wake at the next whole second so the display never skips one.
    timer = setTimeout(tick, left % 1000 || 1000);
  };
  tick();
  return () => clearTimeout(timer);
}
