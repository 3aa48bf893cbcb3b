// Ctrl/Cmd +, - and 0 reach every window the shell opens (consent, banner,
// summary, settings): each controller attaches the zoom keys to its own
// webContents. The consent dialog also grows with its zoom level.
import { describe, expect, it } from 'vitest';
import { consentSizeForZoom } from '../../src/main/consent-size.js';
import { SettingsWindow } from '../../src/main/settings-window.js';
import { CONSENT_SIZE } from '../../src/main/window-options.js';
import type { IpcWindow } from '../../src/shared/ipc-contract.js';
import { bannerView, consentView, summaryView } from '../renderer/sample-views.js';
import type { FakeWindow } from './fake-windows.js';
import { uiHarness } from './ui-harness.js';

const WORK_AREA = { x: 0, y: 0, width: 1920, height: 1040 };

/** Opens each window through its own controller, as the shell does. */
function everyWindow(): { t: ReturnType<typeof uiHarness>; windows: Record<IpcWindow, FakeWindow> } {
  const t = uiHarness();
  void t.ui.showConsent(consentView(), new AbortController().signal);
  t.ui.showBanner(bannerView());
  t.ui.showSummary(summaryView());
  const settings = new SettingsWindow({
    windows: t.services.windows,
    settings: { entries: () => [], effective: () => ({}) as never, isPolicyKeyLocked: () => false, set: () => ({ ok: true }) as never },
    apply: () => ({ restartRequired: false }),
    log: () => {},
  });
  settings.open();
  const windows = { consent: t.last('consent')!, banner: t.last('banner')!, summary: t.last('summary')!, settings: t.last('settings')! };
  return { t, windows };
}

describe('zoom keys in every window', () => {
  for (const kind of ['consent', 'banner', 'summary', 'settings'] as const) {
    it(`Ctrl +, - and 0 zoom the ${kind} window`, () => {
      const { windows } = everyWindow();
      const w = windows[kind];
      expect(w.press('+', { control: true })).toBe(true);
      expect(w.zoomFactor).toBe(1.1);
      w.press('=', { control: true });
      expect(w.zoomFactor).toBe(1.25);
      w.press('-', { control: true });
      expect(w.zoomFactor).toBe(1.1);
      w.press('0', { control: true });
      expect(w.zoomFactor).toBe(1);
      // Ordinary typing reaches the page untouched.
      expect(w.press('a', { control: true })).toBe(false);
      expect(w.press('+')).toBe(false);
    });
  }
});

describe('consent dialog follows its zoom level', () => {
  it('grows by the zoom factor within the work area, centred where it was, and back at 0', () => {
    const { windows } = everyWindow();
    const w = windows.consent;
    expect(w.bounds).toMatchObject(CONSENT_SIZE);
    for (let i = 0; i < 5; i++) w.press('+', { control: true });
    expect(w.zoomFactor).toBe(2);
    const grown = consentSizeForZoom(2, WORK_AREA);
    expect(w.bounds).toEqual({ x: (WORK_AREA.width - grown.width) / 2, y: 0, ...grown });
    w.press('0', { control: true });
    expect(w.bounds).toEqual({ x: (WORK_AREA.width - CONSENT_SIZE.width) / 2, y: (WORK_AREA.height - CONSENT_SIZE.height) / 2, ...CONSENT_SIZE });
  });

  it('opens at the size its zoom level needs (Chromium keeps a zoom level per page)', () => {
    const t = uiHarness({ preloadConsent: true });
    t.ui.warmUp();
    t.runLater();
    const preloaded = t.last('consent')!;
    preloaded.zoomFactor = 1.5;
    void t.ui.showConsent(consentView(), new AbortController().signal);
    expect(t.last('consent')).toBe(preloaded);
    expect(preloaded.bounds).toMatchObject(consentSizeForZoom(1.5, WORK_AREA));
  });
});
