import { describe, expect, it } from 'vitest';
import { IPC_WINDOWS } from '../../src/shared/ipc-contract.js';
import { appPaths } from '../../src/main/app-paths.js';
import { BANNER_HEIGHTS, windowBehaviour, windowOptions } from '../../src/main/window-options.js';

const paths = appPaths('/opt/Porchlight/resources/app.asar');

describe('window options', () => {
  for (const w of IPC_WINDOWS) {
    it(`${w}: isolated, sandboxed, no Node, web security on, no webview, no devtools`, () => {
      const o = windowOptions(w, paths.preload(w));
      expect(o.webPreferences).toMatchObject({
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        devTools: false,
        disableBlinkFeatures: 'Auxclick',
      });
      expect(o.webPreferences).not.toHaveProperty('enableBlinkFeatures');
      expect(o.show).toBe(false);
    });

    it(`${w}: loads its own preload and nothing else`, () => {
      expect(windowOptions(w, paths.preload(w)).webPreferences?.preload).toBe(`/opt/Porchlight/resources/app.asar/dist/preload/${w}.cjs`);
      expect(paths.pageUrl(w)).toBe(`file:///opt/Porchlight/resources/app.asar/dist/renderer/${w}/index.html`);
    });
  }

  it('devtools only when asked (development)', () => {
    expect(windowOptions('consent', 'p', { devTools: true }).webPreferences?.devTools).toBe(true);
  });

  it('consent: on top at screen-saver level, focusable, fixed size, hidden from screen capture', () => {
    const o = windowOptions('consent', 'p');
    expect(o).toMatchObject({ alwaysOnTop: true, focusable: true, resizable: false, minimizable: false, maximizable: false, fullscreenable: false, closable: true, skipTaskbar: false });
    expect(windowBehaviour('consent')).toEqual({ alwaysOnTopLevel: 'screen-saver', contentProtection: true, visibleOnAllWorkspaces: true });
  });

  it('banner: frameless, on top, not in the taskbar, on every workspace, cannot be closed', () => {
    const o = windowOptions('banner', 'p');
    expect(o).toMatchObject({ frame: false, alwaysOnTop: true, skipTaskbar: true, closable: false, resizable: false, minimizable: false, height: BANNER_HEIGHTS.compact });
    expect(windowBehaviour('banner')).toMatchObject({ alwaysOnTopLevel: 'screen-saver', visibleOnAllWorkspaces: true });
  });

  it('summary: a normal window', () => {
    const o = windowOptions('summary', 'p');
    expect(o.alwaysOnTop).toBeUndefined();
    expect(o.frame).toBeUndefined();
    expect(o.resizable).toBe(true);
    expect(windowBehaviour('summary')).toEqual({ contentProtection: false, visibleOnAllWorkspaces: false });
  });

  it('settings: a normal resizable window, not on top, not hidden from capture', () => {
    const o = windowOptions('settings', 'p');
    expect(o).toMatchObject({ title: 'Porchlight settings', resizable: true });
    expect(o.alwaysOnTop).toBeUndefined();
    expect(o.frame).toBeUndefined();
    expect(o.skipTaskbar).toBeUndefined();
    expect(windowBehaviour('settings')).toEqual({ contentProtection: false, visibleOnAllWorkspaces: false });
  });
});
