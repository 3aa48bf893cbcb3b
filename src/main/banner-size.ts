// The banner window fits its content: the page reports the height it needs
// (banner:content-height, CSS px) and the shell resizes within limits, so End
// is never cut off by a long name, four scopes or a larger zoom level.
import { BANNER_HEIGHTS } from './window-options.js';
import type { BannerSize } from '../shared/ipc-contract.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The tallest the banner may be, as a share of the work area: it must never hide the user's screen. */
export const BANNER_MAX_SHARE: Record<BannerSize, number> = { compact: 0.25, expanded: 0.6 };

/**
 * Window height (DIP) for a reported content height: at least the default height for the state, at most the share of
 * the work area, content scaled by the zoom factor (the page reports CSS px).
 */
export function bannerHeight(size: BannerSize, contentCssPx: number, zoomFactor: number, workArea: Rect): number {
  const wanted = Math.ceil(contentCssPx * zoomFactor);
  const max = Math.floor(workArea.height * BANNER_MAX_SHARE[size]);
  return Math.max(Math.min(BANNER_HEIGHTS[size], max), Math.min(wanted, max));
}

/** New bounds for the banner: same top-left, new height, kept inside the work area. */
export function bannerBounds(current: Rect, size: BannerSize, contentCssPx: number, zoomFactor: number, workArea: Rect): Rect {
  const height = bannerHeight(size, contentCssPx, zoomFactor, workArea);
  const y = Math.min(Math.max(current.y, workArea.y), workArea.y + workArea.height - height);
  return { x: current.x, y, width: current.width, height };
}
