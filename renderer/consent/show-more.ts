// The details (ticket, approval, the technician's words) take whatever room the
// consent part leaves; when they do not fit they are clipped and a "Show more"
// button lets the user expand them. It is never the access list that is cut.
import { strings } from '../../src/shared/strings.js';

const s = strings.consent;

export function fitDetails(details: HTMLElement, button: HTMLButtonElement, scroller: HTMLElement): () => void {
  let expanded = false;
  const refresh = () => {
    if (expanded) return;
    const clipped = details.scrollHeight > details.clientHeight + 1;
    details.classList.toggle('details-clipped', clipped);
    button.hidden = !clipped;
  };
  const toggle = () => {
    expanded = !expanded;
    details.classList.toggle('details-expanded', expanded);
    button.setAttribute('aria-expanded', String(expanded));
    button.textContent = expanded ? s.showLess : s.showMore;
    if (expanded) details.classList.remove('details-clipped');
    else refresh();
  };
  button.addEventListener('click', toggle);
  const observer = new ResizeObserver(refresh);
  observer.observe(scroller);
  observer.observe(details);
  refresh();
  return () => observer.disconnect();
}
