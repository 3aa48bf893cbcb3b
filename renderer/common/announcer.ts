// Screen-reader announcements through the page's polite live region.
import { byId } from './element.js';

export function announce(text: string): void {
  const region = byId('announcer');
  // Clearing first makes a repeated message be announced again.
  region.textContent = '';
  region.textContent = text;
}
