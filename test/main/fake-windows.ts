// Fakes at the Electron boundary for ElectronUi: windows that record what
// they were told, a screen with plain geometry, and recorded side effects.
import type { UiServices } from '../../src/main/electron-ui.js';
import type { ShellWindow, ToRendererChannel, WindowFactory } from '../../src/main/shell-window.js';
import type { Rect } from '../../src/main/placement.js';
import type { KeyInput, ZoomableContents } from '../../src/main/zoom.js';
import type { IpcWindow } from '../../src/shared/ipc-contract.js';
import type { AgentStatus } from '../../src/core/ui-port.js';

export const pageUrl = (w: IpcWindow) => `file:///app/dist/renderer/${w}/index.html`;

export class FakeWindow implements ShellWindow {
  sent: [ToRendererChannel, unknown][] = [];
  /** What main did to the window, in order ('send consent:show', 'show', 'content-protection on', …). */
  history: string[] = [];
  contentProtection = false;
  /** The page it shows; a test may point it elsewhere (navigation). */
  currentUrl: string;
  shown: 'no' | 'active' | 'inactive' = 'no';
  focusCalls = 0;
  flashing = false;
  destroyed = false;
  bounds: Rect = { x: 0, y: 0, width: 0, height: 0 };
  private closed: (() => void)[] = [];
  private closeRequested: ((e: { preventDefault(): void }) => void)[] = [];
  private hidden: (() => void)[] = [];
  private focused: (() => void)[] = [];
  private gone: (() => void)[] = [];
  reloads = 0;
  zoomFactor = 1;
  private keyListeners: ((event: { preventDefault(): void }, input: KeyInput) => void)[] = [];
  readonly webContents: ZoomableContents = {
    on: (_event, listener) => this.keyListeners.push(listener),
    getZoomFactor: () => this.zoomFactor,
    setZoomFactor: (factor) => {
      this.zoomFactor = factor;
    },
  };
  constructor(
    readonly kind: IpcWindow,
    readonly webContentsId: number,
    /** false: the OS refuses focus (focus-stealing prevention). */
    public canTakeFocus = true,
  ) {
    this.currentUrl = pageUrl(kind);
  }
  send(channel: ToRendererChannel, payload: unknown) {
    this.sent.push([channel, payload]);
    this.history.push(`send ${channel}`);
  }
  show() {
    this.shown = 'active';
    this.history.push('show');
  }
  showInactive() {
    this.shown = 'inactive';
    this.history.push('show-inactive');
  }
  url() {
    return this.currentUrl;
  }
  setContentProtection(on: boolean) {
    this.contentProtection = on;
    this.history.push(`content-protection ${on ? 'on' : 'off'}`);
  }
  focus() {
    this.focusCalls++;
    if (this.canTakeFocus) this.focused.forEach((l) => l());
  }
  isFocused() {
    return this.canTakeFocus && this.focusCalls > 0;
  }
  flashFrame(flag: boolean) {
    this.flashing = flag;
  }
  getBounds() {
    return this.bounds;
  }
  setBounds(b: Rect) {
    this.bounds = b;
  }
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.closed.forEach((l) => l());
  }
  isDestroyed() {
    return this.destroyed;
  }
  onClosed(l: () => void) {
    this.closed.push(l);
  }
  onCloseRequested(l: (e: { preventDefault(): void }) => void) {
    this.closeRequested.push(l);
  }
  onHidden(l: () => void) {
    this.hidden.push(l);
  }
  onFocus(l: () => void) {
    this.focused.push(l);
  }
  onGone(l: () => void) {
    this.gone.push(l);
  }
  reload() {
    this.reloads++;
  }
  /** The renderer process crashes. */
  crash() {
    this.gone.forEach((l) => l());
  }
  /** The user (or window manager, Alt+F4) closes the window: Electron emits 'close', then destroys unless prevented. */
  userCloses() {
    let prevented = false;
    this.closeRequested.forEach((l) => l({ preventDefault: () => (prevented = true) }));
    if (!prevented) this.destroy();
  }
  /** A key press reaches the page (before-input-event); true when main swallowed it. */
  press(key: string, mods: Partial<Omit<KeyInput, 'key'>> = {}): boolean {
    let prevented = false;
    const input: KeyInput = { type: 'keyDown', key, control: false, meta: false, alt: false, ...mods };
    this.keyListeners.forEach((l) => l({ preventDefault: () => (prevented = true) }, input));
    return prevented;
  }
  /** Minimised or hidden from outside. */
  hide() {
    this.shown = 'no';
    this.hidden.forEach((l) => l());
  }
}

export function fakeServices() {
  let nextId = 100;
  const windows: FakeWindow[] = [];
  const effects = {
    notifications: [] as Parameters<UiServices['notify']>[0][],
    clipboard: [] as string[],
    opened: [] as string[],
    statuses: [] as AgentStatus[],
    log: [] as [string, string][],
  };
  /** Tasks handed to `later`, run by the test with `runLater()`. */
  const pending = new Set<() => void>();
  const runLater = () => {
    const tasks = [...pending];
    pending.clear();
    tasks.forEach((task) => task());
  };
  const screen = {
    displays: [
      { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 }, scaleFactor: 1 },
      { id: 2, bounds: { x: -1920, y: 0, width: 1920, height: 1080 }, workArea: { x: -1920, y: 0, width: 1920, height: 1080 }, scaleFactor: 1.5 },
    ],
    cursor: { x: 100, y: 100 },
  };
  const options = { canTakeFocus: true };
  const factory: WindowFactory = {
    open(kind) {
      const w = new FakeWindow(kind, nextId++, options.canTakeFocus);
      windows.push(w);
      return w;
    },
    pageUrl,
  };
  const services: UiServices = {
    windows: factory,
    screen: { displays: () => screen.displays, cursor: () => screen.cursor },
    notify: (o) => effects.notifications.push(o),
    writeClipboard: (t) => effects.clipboard.push(t),
    openExternal: (u) => effects.opened.push(u),
    onStatus: (s) => effects.statuses.push(s),
    log: (e, d) => effects.log.push([e, d]),
    later: (task) => {
      pending.add(task);
      return () => pending.delete(task);
    },
  };
  const last = (kind: IpcWindow) => windows.filter((w) => w.kind === kind).at(-1);
  return { services, windows, effects, screen, options, last, pending, runLater };
}

/** Let the promise queue run (answers resolve asynchronously). */
export const flush = () => new Promise<void>((r) => setImmediate(r));
