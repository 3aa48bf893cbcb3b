// Window placement as plain geometry in Electron's screen coordinates (DIP:
// a 3840x2160 display at scale 2 is 1920x1080 here). Displays may sit left of
// or above the primary one (negative origins). No Electron values: the wiring
// passes screen.getAllDisplays() and screen.getCursorScreenPoint().
export interface Point {
  x: number;
  y: number;
}
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface Size {
  width: number;
  height: number;
}
/** The parts of Electron's Display we use. */
export interface DisplayGeometry {
  id: number;
  bounds: Rect;
  workArea: Rect;
  scaleFactor: number;
}

/** Gap between the banner and the top of the work area. */
export const BANNER_TOP_MARGIN = 8;

function contains(r: Rect, p: Point): boolean {
  return p.x >= r.x && p.x < r.x + r.width && p.y >= r.y && p.y < r.y + r.height;
}

function distanceSquared(r: Rect, p: Point): number {
  const dx = p.x < r.x ? r.x - p.x : p.x >= r.x + r.width ? p.x - (r.x + r.width - 1) : 0;
  const dy = p.y < r.y ? r.y - p.y : p.y >= r.y + r.height ? p.y - (r.y + r.height - 1) : 0;
  return dx * dx + dy * dy;
}

/** The display containing the point, else the nearest one (cursor on a gap or a removed display). */
export function displayAt(displays: readonly DisplayGeometry[], point: Point): DisplayGeometry {
  if (displays.length === 0) throw new RangeError('no displays');
  const hit = displays.find((d) => contains(d.bounds, point));
  if (hit) return hit;
  return displays.reduce((best, d) => (distanceSquared(d.bounds, point) < distanceSquared(best.bounds, point) ? d : best));
}

/** Electron's Rectangle takes whole DIPs (scaling to device pixels is Electron's job). */
function snap(value: number): number {
  return Math.round(value);
}

/** Shrink to fit the area; a window is never bigger than the work area it sits in. */
function fit(size: Size, area: Rect): Size {
  return { width: Math.min(size.width, area.width), height: Math.min(size.height, area.height) };
}

/** Consent dialog: centred in the work area of the display the cursor is on (where the user looks). */
export function consentBounds(displays: readonly DisplayGeometry[], cursor: Point, size: Size): Rect {
  const d = displayAt(displays, cursor);
  const s = fit(size, d.workArea);
  return {
    x: snap(d.workArea.x + (d.workArea.width - s.width) / 2),
    y: snap(d.workArea.y + (d.workArea.height - s.height) / 2),
    ...s,
  };
}

/** Session banner: top centre of the active display's work area (below a top menu bar or taskbar). */
export function bannerBounds(displays: readonly DisplayGeometry[], cursor: Point, size: Size): Rect {
  const d = displayAt(displays, cursor);
  const s = fit(size, { ...d.workArea, height: Math.max(0, d.workArea.height - BANNER_TOP_MARGIN) });
  return {
    x: snap(d.workArea.x + (d.workArea.width - s.width) / 2),
    y: snap(d.workArea.y + Math.min(BANNER_TOP_MARGIN, d.workArea.height - s.height)),
    ...s,
  };
}

function centre(r: Rect): Point {
  return { x: r.x + Math.floor(r.width / 2), y: r.y + Math.floor(r.height / 2) };
}

/**
 * After displays were added, removed or changed: keep a window on the display
 * it was on (found by its centre) and re-place it there; if that display is
 * gone, follow the cursor. Returns the new bounds.
 */
export function replaceAfterDisplayChange(
  kind: 'consent' | 'banner',
  current: Rect,
  displays: readonly DisplayGeometry[],
  cursor: Point,
  size: Size,
): Rect {
  const c = centre(current);
  const stillThere = displays.some((d) => contains(d.bounds, c));
  const anchor = stillThere ? c : cursor;
  return kind === 'consent' ? consentBounds(displays, anchor, size) : bannerBounds(displays, anchor, size);
}
