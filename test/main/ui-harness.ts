// ElectronUi wired to a fake ipcMain through the real IPC guard, as main.ts
// wires it: a test speaks as a page (its top frame, at the URL it shows), and
// only messages the guard lets through reach the window controllers.
import { ElectronUi, type UiOptions } from '../../src/main/electron-ui.js';
import { createIpcGuard } from '../../src/main/ipc-guard.js';
import type { IpcEventLike } from '../../src/main/ipc-guard.js';
import { registerIpcRoutes } from '../../src/main/ipc-routes.js';
import type { IpcChannel, IpcWindow } from '../../src/shared/ipc-contract.js';
import { fakeServices, type FakeWindow } from './fake-windows.js';

export function uiHarness(options?: UiOptions) {
  const f = fakeServices();
  const ui = new ElectronUi(f.services, options);
  const listeners = new Map<string, (event: IpcEventLike, ...args: unknown[]) => void>();
  const rejected: string[] = [];
  const expectedSender = (w: IpcWindow, channel: IpcChannel) => (w === 'settings' ? undefined : ui.expectedSender(w, channel));
  const guard = createIpcGuard({ expectedSender, log: (r) => rejected.push(r.code) });
  // The settings window has its own controller (settings-window.test.ts); here it is never open.
  const settings = { 'settings:ready': () => {}, 'settings:change': () => {}, 'settings:close': () => {} };
  registerIpcRoutes({ on: (c, l) => listeners.set(c, l) }, guard, { ...ui.ipcHandlers(), ...settings });
  /** A message from a window's page; `as` sends it from another window's webContents instead. */
  const fromPage = (w: FakeWindow, channel: string, payload?: unknown, as: FakeWindow = w) => {
    const frame = { url: as.currentUrl, parent: null };
    const event = { sender: { id: as.webContentsId, mainFrame: frame }, senderFrame: frame };
    listeners.get(channel)!(event, ...(payload === undefined ? [] : [payload]));
  };
  return { ...f, ui, fromPage, rejected };
}
