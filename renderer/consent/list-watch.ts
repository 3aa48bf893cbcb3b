// Reports whether the whole access list is on screen, so Allow can wait for it
// (ArmDelay.contentSeen). Watched with IntersectionObserver against the part
// of the dialog that scrolls: a list below the fold, behind the footer or
// pushed out by zoom is not "seen". A list taller than the window can never be
// whole on screen; then every row must have been fully seen at least once.

export function watchListInView(list: HTMLElement, scroller: HTMLElement, onChange: (inView: boolean) => void): () => void {
  const rows = [...list.querySelectorAll<HTMLElement>('legend, li')];
  const everSeen = new Set<Element>();
  const nowSeen = new Set<Element>();
  let last: boolean | undefined;
  const report = () => {
    const allNow = rows.every((r) => nowSeen.has(r));
    const tooTall = list.getBoundingClientRect().height > scroller.clientHeight;
    const inView = allNow || (tooTall && rows.every((r) => everSeen.has(r)) && rows.some((r) => nowSeen.has(r)));
    if (inView === last) return;
    last = inView;
    onChange(inView);
  };
  const observer = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        // "Fully visible", with a pixel of slack for sub-pixel layout at odd zoom levels.
        const whole = e.isIntersecting && e.intersectionRect.height >= e.boundingClientRect.height - 1;
        if (whole) {
          nowSeen.add(e.target);
          everSeen.add(e.target);
        } else nowSeen.delete(e.target);
      }
      report();
    },
    { root: scroller, threshold: [0, 0.25, 0.5, 0.75, 0.99, 1] },
  );
  for (const r of rows) observer.observe(r);
  return () => observer.disconnect();
}
