// At a larger zoom level the consent dialog needs more room for the same
// content: the shell enlarges the window by the zoom factor, as far as the
// screen's work area allows. Where it cannot, the page keeps Allow disarmed
// until the whole access list has been scrolled into view (list-watch.ts).
import { CONSENT_SIZE } from './window-options.js';
import type { Rect } from './banner-size.js';

export function consentSizeForZoom(zoomFactor: number, workArea: Rect): { width: number; height: number } {
  const scale = Math.max(1, zoomFactor);
  return {
    width: Math.min(Math.round(CONSENT_SIZE.width * scale), workArea.width),
    height: Math.min(Math.round(CONSENT_SIZE.height * scale), workArea.height),
  };
}
