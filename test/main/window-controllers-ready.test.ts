// Each window controller talks to its page only through the page ready queue:
// nothing reaches a page, and no window shows, before that page said ready.
// (The controllers' other behaviour is in electron-ui.test.ts, through the guard.)
import { describe, expect, it } from 'vitest';
import { BannerWindow } from '../../src/main/banner-window.js';
import { ConsentWindow } from '../../src/main/consent-window.js';
import { SummaryWindow } from '../../src/main/summary-window.js';
import { bannerView, consentView, summaryView } from '../renderer/sample-views.js';
import { fakeServices } from './fake-windows.js';

const granted = (w: { sent: [string, unknown][] }) => w.sent.map(([, p]) => (p as { granted: string[] }).granted);

describe('window controllers and page readiness', () => {
  it('a banner refreshed before its page is ready stays hidden, then gets every view in order', () => {
    const f = fakeServices();
    const banner = new BannerWindow(f.services);
    banner.show(bannerView());
    banner.show(bannerView({ granted: ['view'] }));
    const w = f.last('banner')!;
    expect(w.sent).toEqual([]);
    expect(w.shown).toBe('no');
    banner.ipcHandlers()['banner:ready'](undefined);
    expect(granted(w)).toEqual([['view', 'control', 'file-transfer'], ['view']]);
    expect(w.history).toEqual(['send banner:update', 'send banner:update', 'show-inactive']);
  });

  it('a banner crashed after ready sends nothing to the dead page; the reloaded page gets the views', () => {
    const f = fakeServices();
    const banner = new BannerWindow(f.services);
    banner.show(bannerView());
    const w = f.last('banner')!;
    banner.ipcHandlers()['banner:ready'](undefined);
    w.crash();
    banner.show(bannerView({ granted: ['view'] }));
    expect(granted(w)).toEqual([['view', 'control', 'file-transfer']]);
    banner.ipcHandlers()['banner:ready'](undefined);
    expect(granted(w)).toEqual([['view', 'control', 'file-transfer'], ['view', 'control', 'file-transfer'], ['view']]);
  });

  it('a summary is neither sent nor shown before its page is ready', () => {
    const f = fakeServices();
    const summary = new SummaryWindow(f.services);
    summary.show(summaryView());
    const w = f.last('summary')!;
    expect([w.sent, w.shown]).toEqual([[], 'no']);
    summary.ipcHandlers()['summary:ready'](undefined);
    expect(w.history).toEqual(['send summary:show', 'show']);
  });

  it('a consent prompt on a page that never says ready is never shown, and still declines on abort', async () => {
    const f = fakeServices();
    const consent = new ConsentWindow(f.services, { preload: false });
    const ac = new AbortController();
    const answer = consent.ask(consentView(), ac.signal);
    const w = f.last('consent')!;
    expect([w.sent, w.shown]).toEqual([[], 'no']);
    ac.abort();
    expect(await answer).toEqual({ kind: 'dismissed', promptId: 'prompt-0001' });
    consent.ipcHandlers()['consent:ready'](undefined);
    expect([w.sent, w.shown, w.destroyed]).toEqual([[], 'no', true]);
  });
});
