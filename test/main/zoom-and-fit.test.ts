// Zoom keys for every window, and windows that fit their content at any zoom level.
import { describe, expect, it } from 'vitest';
import { attachZoom, zoomForInput, ZOOM_STEPS } from '../../src/main/zoom.js';
import type { KeyInput } from '../../src/main/zoom.js';
import { bannerBounds, bannerHeight, BANNER_MAX_SHARE } from '../../src/main/banner-size.js';
import { consentSizeForZoom } from '../../src/main/consent-size.js';
import { BANNER_HEIGHTS, CONSENT_SIZE } from '../../src/main/window-options.js';

const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({ type: 'keyDown', key: k, control: false, meta: false, alt: false, ...mods });
const workArea = { x: 0, y: 0, width: 1920, height: 1040 };

describe('zoom keys', () => {
  it('Ctrl +, -, 0 step through Chromium zoom levels on Windows and Linux', () => {
    for (const platform of ['win32', 'linux'] as const) {
      expect(zoomForInput(key('+', { control: true }), 1, platform)).toBe(1.1);
      expect(zoomForInput(key('=', { control: true }), 1.75, platform)).toBe(2);
      expect(zoomForInput(key('-', { control: true }), 1, platform)).toBe(0.9);
      expect(zoomForInput(key('0', { control: true }), 2.5, platform)).toBe(1);
    }
  });

  it('uses Cmd on macOS, and Ctrl there is not a zoom key', () => {
    expect(zoomForInput(key('+', { meta: true }), 1, 'darwin')).toBe(1.1);
    expect(zoomForInput(key('+', { control: true }), 1, 'darwin')).toBeUndefined();
  });

  it('stops at the smallest and largest level', () => {
    expect(zoomForInput(key('+', { control: true }), ZOOM_STEPS.at(-1)!, 'linux')).toBe(3);
    expect(zoomForInput(key('-', { control: true }), 0.5, 'linux')).toBe(0.5);
  });

  it('ignores other keys, key-up, Alt chords and unmodified presses', () => {
    expect(zoomForInput(key('a', { control: true }), 1, 'linux')).toBeUndefined();
    expect(zoomForInput({ ...key('+', { control: true }), type: 'keyUp' }, 1, 'linux')).toBeUndefined();
    expect(zoomForInput(key('+', { control: true, alt: true }), 1, 'linux')).toBeUndefined();
    expect(zoomForInput(key('+'), 1, 'linux')).toBeUndefined();
  });

  it('attachZoom sets the factor, swallows the key and tells the window', () => {
    let listener: ((e: { preventDefault(): void }, i: KeyInput) => void) | undefined;
    let factor = 1;
    const zoomed: number[] = [];
    let prevented = 0;
    attachZoom({ on: (_e, l) => (listener = l), getZoomFactor: () => factor, setZoomFactor: (f) => (factor = f) }, 'win32', (f) => zoomed.push(f));
    listener!({ preventDefault: () => prevented++ }, key('+', { control: true }));
    listener!({ preventDefault: () => prevented++ }, key('x', { control: true }));
    expect({ factor, zoomed, prevented }).toEqual({ factor: 1.1, zoomed: [1.1], prevented: 1 });
  });
});

describe('banner fits its content', () => {
  it('grows the compact bar to what the page needs (a long name or four scopes wrapped)', () => {
    expect(bannerHeight('compact', 60, 1, workArea)).toBe(BANNER_HEIGHTS.compact);
    expect(bannerHeight('compact', 120, 1, workArea)).toBe(120);
    expect(bannerHeight('compact', 84, 2, workArea)).toBe(168);
  });

  it('never takes more than its share of the work area', () => {
    expect(bannerHeight('compact', 2000, 1, workArea)).toBe(Math.floor(1040 * BANNER_MAX_SHARE.compact));
    expect(bannerHeight('expanded', 2000, 2, workArea)).toBe(Math.floor(1040 * BANNER_MAX_SHARE.expanded));
  });

  it('keeps the window inside the work area when it grows', () => {
    expect(bannerBounds({ x: 100, y: 1000, width: 760, height: 84 }, 'expanded', 300, 1, workArea)).toEqual({ x: 100, y: 700, width: 760, height: BANNER_HEIGHTS.expanded });
  });
});

describe('consent window at larger zoom', () => {
  it('grows by the zoom factor within the work area', () => {
    expect(consentSizeForZoom(1, workArea)).toEqual(CONSENT_SIZE);
    expect(consentSizeForZoom(1.5, workArea)).toEqual({ width: CONSENT_SIZE.width * 1.5, height: 1020 });
    expect(consentSizeForZoom(2, { x: 0, y: 0, width: 1280, height: 720 })).toEqual({ width: CONSENT_SIZE.width * 2, height: 720 });
    expect(consentSizeForZoom(0.8, workArea)).toEqual(CONSENT_SIZE);
  });
});
