// What a window controller needs of one window and of the screen, as small
// interfaces: electron-windows.ts adapts real BrowserWindows to them, tests
// use fakes (test/main/fake-windows.ts).
import type { ChannelsOf, IpcWindow } from '../shared/ipc-contract.js';
import type { ExpectedSender } from './ipc-guard.js';
import type { DisplayGeometry, Point, Rect } from './placement.js';
import type { ZoomableContents } from './zoom.js';

export type ToRendererChannel = ChannelsOf<IpcWindow, 'to-renderer'>;

/** One open window, as the controllers need it (the wiring adapts a BrowserWindow). */
export interface ShellWindow {
  readonly webContentsId: number;
  /** Its page's zoom (Ctrl/Cmd +, -, 0 via attachZoom). */
  readonly webContents: ZoomableContents;
  send(channel: ToRendererChannel, payload: unknown): void;
  show(): void;
  /** Show without taking focus (the banner must not steal the user's typing). */
  showInactive(): void;
  focus(): void;
  isFocused(): boolean;
  flashFrame(flag: boolean): void;
  getBounds(): Rect;
  setBounds(bounds: Rect): void;
  /** Close now, without beforeunload (destroy). 'closed' listeners still run. */
  destroy(): void;
  isDestroyed(): boolean;
  onClosed(listener: () => void): void;
  /**
   * The user or window manager asks to close it (title bar, Alt+F4); preventDefault keeps it open.
   * destroy() skips this.
   */
  onCloseRequested(listener: (event: { preventDefault(): void }) => void): void;
  /** It was minimised or hidden (by the user, the window manager or injected input). */
  onHidden(listener: () => void): void;
  onFocus(listener: () => void): void;
  /** The page's renderer process crashed or was killed. */
  onGone(listener: () => void): void;
  /** Load the window's page again (it sends `<window>:ready` once loaded). */
  reload(): void;
  /** The URL the page shows now ('' before the first load commits). */
  url(): string;
  /** Keep the window out of screenshots and screen sharing (where the OS allows). */
  setContentProtection(on: boolean): void;
}

export interface WindowFactory {
  /** Create the window (hidden, hardened, loading its page). */
  open(window: IpcWindow): ShellWindow;
  /** The exact page URL the window loads (for the IPC guard). */
  pageUrl(window: IpcWindow): string;
}

export interface ScreenInfo {
  displays(): DisplayGeometry[];
  cursor(): Point;
}

/** Who may send as this window now (the IPC guard's question); undefined when it is not open. */
export function senderOf(window: ShellWindow | undefined, pageUrl: string): ExpectedSender | undefined {
  if (!window || window.isDestroyed()) return undefined;
  return { webContentsId: window.webContentsId, url: pageUrl };
}

/** Destroy it unless it is already gone. */
export function destroyWindow(window: ShellWindow | undefined): void {
  if (window && !window.isDestroyed()) window.destroy();
}
