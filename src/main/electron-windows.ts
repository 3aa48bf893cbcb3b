// Electron wiring: the WindowFactory the window controllers use, on real BrowserWindows.
// Options and behaviour come from window-options.ts (unit-tested); this file
// only applies them. Navigation/window.open/webview denial is attached to
// every webContents in main.ts ('web-contents-created').
import { BrowserWindow } from 'electron';
import type { IpcWindow } from '../shared/ipc-contract.js';
import type { AppPaths } from './app-paths.js';
import type { ShellWindow, WindowFactory } from './shell-window.js';
import { windowBehaviour, windowOptions } from './window-options.js';

export function electronWindowFactory(
  paths: AppPaths,
  opts: { devTools: boolean; log: (event: string, detail: string) => void },
): WindowFactory {
  return {
    pageUrl: (kind) => paths.pageUrl(kind),
    open(kind: IpcWindow): ShellWindow {
      const win = new BrowserWindow(windowOptions(kind, paths.preload(kind), { devTools: opts.devTools }));
      const behaviour = windowBehaviour(kind);
      if (behaviour.alwaysOnTopLevel) win.setAlwaysOnTop(true, behaviour.alwaysOnTopLevel);
      win.setContentProtection(behaviour.contentProtection);
      if (behaviour.visibleOnAllWorkspaces) win.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
      win.removeMenu();
      const webContentsId = win.webContents.id;
      const loadPage = () => {
        win.loadURL(paths.pageUrl(kind)).catch((err: Error) => opts.log('page-load-failed', `${kind}: ${err.message}`));
      };
      loadPage();
      return {
        webContentsId,
        webContents: {
          on: (_event, listener) => win.webContents.on('before-input-event', listener),
          getZoomFactor: () => (win.isDestroyed() ? 1 : win.webContents.getZoomFactor()),
          setZoomFactor: (factor) => {
            if (!win.isDestroyed()) win.webContents.setZoomFactor(factor);
          },
        },
        send: (channel, payload) => {
          if (!win.isDestroyed()) win.webContents.send(channel, payload);
        },
        show: () => win.show(),
        showInactive: () => win.showInactive(),
        focus: () => win.focus(),
        isFocused: () => win.isFocused(),
        flashFrame: (flag) => win.flashFrame(flag),
        getBounds: () => win.getBounds(),
        setBounds: (b) => win.setBounds(b),
        destroy: () => win.destroy(),
        isDestroyed: () => win.isDestroyed(),
        onClosed: (l) => void win.on('closed', l),
        onCloseRequested: (l) => void win.on('close', (event) => l(event)),
        onHidden: (l) => {
          win.on('minimize', l);
          win.on('hide', l);
        },
        onFocus: (l) => void win.on('focus', l),
        onGone: (l) => void win.webContents.on('render-process-gone', (_event, details) => {
          opts.log('render-process-gone', `${kind}: ${details.reason}`);
          l();
        }),
        url: () => (win.isDestroyed() ? '' : win.webContents.getURL()),
        setContentProtection: (on) => win.setContentProtection(on),
        reload: loadPage,
      };
    },
  };
}
