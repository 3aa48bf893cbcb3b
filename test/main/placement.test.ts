import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BANNER_TOP_MARGIN, bannerBounds, consentBounds, displayAt, replaceAfterDisplayChange, type DisplayGeometry } from '../../src/main/placement.js';

const display = (id: number, x: number, y: number, width: number, height: number, opts: { top?: number; bottom?: number; scale?: number } = {}): DisplayGeometry => ({
  id,
  bounds: { x, y, width, height },
  workArea: { x, y: y + (opts.top ?? 0), width, height: height - (opts.top ?? 0) - (opts.bottom ?? 0) },
  scaleFactor: opts.scale ?? 1,
});

// Primary 1920x1080 with a 40 px taskbar; a 2560x1440 monitor on its left (negative x);
// a 4K laptop panel at scale 2 (1920x1080 DIP) above the primary (negative y) with a 25 px menu bar.
const primary = display(1, 0, 0, 1920, 1080, { bottom: 40 });
const left = display(2, -2560, -200, 2560, 1440);
const above = display(3, 0, -1080, 1920, 1080, { top: 25, scale: 2 });
const all = [primary, left, above];
const consent = { width: 560, height: 680 };
const banner = { width: 760, height: 84 };

describe('displayAt', () => {
  it('picks the display containing the point, including negative origins', () => {
    expect(displayAt(all, { x: 100, y: 100 }).id).toBe(1);
    expect(displayAt(all, { x: -10, y: 0 }).id).toBe(2);
    expect(displayAt(all, { x: 500, y: -1 }).id).toBe(3);
  });
  it('falls back to the nearest display for a point in a gap', () => {
    expect(displayAt(all, { x: 5000, y: 500 }).id).toBe(1);
    expect(displayAt(all, { x: -3000, y: 0 }).id).toBe(2);
  });
  it('throws on an empty display list (a bug in the caller, not user input)', () => {
    expect(() => displayAt([], { x: 0, y: 0 })).toThrow(RangeError);
  });
});

describe('consent placement', () => {
  it('centres in the work area of the display under the cursor', () => {
    expect(consentBounds(all, { x: 10, y: 10 }, consent)).toEqual({ x: 680, y: 180, width: 560, height: 680 });
  });
  it('works on a monitor left of the primary (negative x, y)', () => {
    expect(consentBounds(all, { x: -100, y: 300 }, consent)).toEqual({ x: -2560 + 1000, y: -200 + 380, width: 560, height: 680 });
  });
  it('works on a scaled display above the primary, below its menu bar', () => {
    const r = consentBounds(all, { x: 1000, y: -500 }, consent);
    expect(r).toEqual({ x: 680, y: -1080 + 25 + 188, width: 560, height: 680 });
  });
  it('shrinks to a small work area instead of spilling over', () => {
    const tiny = display(9, 0, 0, 800, 600, { bottom: 48 });
    expect(consentBounds([tiny], { x: 1, y: 1 }, consent)).toEqual({ x: 120, y: 0, width: 560, height: 552 });
  });
});

describe('banner placement', () => {
  it('sits at the top centre of the active display work area', () => {
    expect(bannerBounds(all, { x: 10, y: 10 }, banner)).toEqual({ x: 580, y: BANNER_TOP_MARGIN, width: 760, height: 84 });
    expect(bannerBounds(all, { x: 10, y: -10 }, banner)).toEqual({ x: 580, y: -1080 + 25 + BANNER_TOP_MARGIN, width: 760, height: 84 });
    expect(bannerBounds(all, { x: -1, y: -1 }, banner)).toEqual({ x: -2560 + 900, y: -200 + BANNER_TOP_MARGIN, width: 760, height: 84 });
  });
  it('fits a display narrower than the banner', () => {
    const narrow = display(5, 100, 0, 640, 480);
    expect(bannerBounds([narrow], { x: 200, y: 10 }, banner)).toEqual({ x: 100, y: BANNER_TOP_MARGIN, width: 640, height: 84 });
  });
});

describe('re-placement when displays change', () => {
  it('keeps a window on its display and re-centres it when that display changes size', () => {
    const before = bannerBounds(all, { x: -1, y: -1 }, banner);
    const resized = display(2, -2560, -200, 1920, 1080);
    expect(replaceAfterDisplayChange('banner', before, [primary, resized], { x: 10, y: 10 }, banner)).toEqual({ x: -2560 + 580, y: -200 + BANNER_TOP_MARGIN, width: 760, height: 84 });
  });
  it('moves a window whose display was unplugged to the display with the cursor', () => {
    const before = consentBounds(all, { x: -1, y: -1 }, consent);
    expect(replaceAfterDisplayChange('consent', before, [primary, above], { x: 10, y: 10 }, consent)).toEqual({ x: 680, y: 180, width: 560, height: 680 });
  });
  it('always lands fully inside some work area (property)', () => {
    const arbDisplay = fc.record({ x: fc.integer({ min: -8000, max: 8000 }), y: fc.integer({ min: -8000, max: 8000 }), w: fc.integer({ min: 320, max: 7680 }), h: fc.integer({ min: 240, max: 4320 }), top: fc.integer({ min: 0, max: 60 }), scale: fc.constantFrom(1, 1.25, 1.5, 2) });
    fc.assert(
      fc.property(fc.array(arbDisplay, { minLength: 1, maxLength: 4 }), fc.integer({ min: -10000, max: 10000 }), fc.integer({ min: -10000, max: 10000 }), fc.constantFrom('consent', 'banner'), (ds, cx, cy, kind) => {
        const displays = ds.map((d, i) => display(i + 1, d.x, d.y, d.w, d.h, { top: d.top, scale: d.scale }));
        const size = kind === 'consent' ? consent : banner;
        const r = kind === 'consent' ? consentBounds(displays, { x: cx, y: cy }, size) : bannerBounds(displays, { x: cx, y: cy }, size);
        const wa = displayAt(displays, { x: cx, y: cy }).workArea;
        // Rounding to whole DIPs may move by half a DIP; the result is always integral.
        expect([r.x, r.y, r.width, r.height].every(Number.isInteger)).toBe(true);
        expect(r.x).toBeGreaterThanOrEqual(wa.x - 0.5);
        expect(r.y).toBeGreaterThanOrEqual(wa.y - 0.5);
        expect(r.x + r.width).toBeLessThanOrEqual(wa.x + wa.width + 0.5);
        expect(r.y + r.height).toBeLessThanOrEqual(wa.y + wa.height + 0.5);
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
