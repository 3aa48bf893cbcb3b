import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { hardenSession, hardenWebContents, type PreventableEvent, type SessionLike, type WebContentsLike } from '../../src/main/web-security.js';

class FakeWebContents extends EventEmitter {
  openHandler?: (details: { url: string }) => { action: 'deny' };
  setWindowOpenHandler(h: (details: { url: string }) => { action: 'deny' }) {
    this.openHandler = h;
  }
}
const fakeEvent = (extra: object = {}) => {
  const e = { prevented: false, preventDefault() { e.prevented = true; }, ...extra };
  return e as PreventableEvent & { prevented: boolean };
};

function hardened() {
  const log: [string, string][] = [];
  const wc = new FakeWebContents();
  hardenWebContents(wc as unknown as WebContentsLike, (w, d) => log.push([w, d]));
  return { wc, log };
}

describe('web contents hardening', () => {
  for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect'] as const) {
    it(`denies ${name} and logs the target`, () => {
      const { wc, log } = hardened();
      const e = fakeEvent({ url: 'https://evil.example/' });
      wc.emit(name, e, 'https://evil.example/');
      expect(e.prevented).toBe(true);
      expect(log).toEqual([['navigation-denied', 'https://evil.example/']]);
    });
  }

  it('denies window.open', () => {
    const { wc, log } = hardened();
    expect(wc.openHandler?.({ url: 'https://evil.example/popup' })).toEqual({ action: 'deny' });
    expect(log).toEqual([['window-open-denied', 'https://evil.example/popup']]);
  });

  it('denies attaching a webview', () => {
    const { wc } = hardened();
    const e = fakeEvent();
    wc.emit('will-attach-webview', e, {}, { src: 'https://evil.example/' });
    expect(e.prevented).toBe(true);
  });
});

describe('session hardening', () => {
  it('answers every permission request and check with no', () => {
    const log: [string, string][] = [];
    let request: Parameters<SessionLike['setPermissionRequestHandler']>[0] | undefined;
    let check: Parameters<SessionLike['setPermissionCheckHandler']>[0] | undefined;
    let device: (() => boolean) | undefined;
    hardenSession(
      { setPermissionRequestHandler: (h) => (request = h), setPermissionCheckHandler: (h) => (check = h), setDevicePermissionHandler: (h) => (device = h) },
      (w, d) => log.push([w, d]),
    );
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'display-capture']) {
      let granted: boolean | undefined;
      request!({}, permission, (g) => (granted = g));
      expect(granted).toBe(false);
      expect(check!({}, permission)).toBe(false);
    }
    expect(device!()).toBe(false);
    expect(log).toContainEqual(['permission-denied', 'media']);
  });
});
