// A stand-in for the 'electron' module, just wide enough for src/main/main.ts
// and its wiring files, so the whole main process runs under vitest (vi.mock)
// against a real relay and the real agent core. Fake only at the Electron
// boundary: everything behind it is the production code.
import { EventEmitter } from 'node:events';

export class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly mainFrame = { url: '', parent: null as unknown };
  sent: [string, unknown][] = [];
  windowOpenHandler?: (d: { url: string }) => { action: string };
  zoomFactor = 1;
  getZoomFactor() {
    return this.zoomFactor;
  }
  setZoomFactor(factor: number) {
    this.zoomFactor = factor;
  }
  send(channel: string, payload: unknown) {
    this.sent.push([channel, payload]);
  }
  getURL() {
    return this.mainFrame.url;
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.windowOpenHandler = h;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static all: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  alwaysOnTop: [boolean, string | undefined] | undefined;
  contentProtection = false;
  allWorkspaces = false;
  visible: 'hidden' | 'shown' | 'inactive' = 'hidden';
  destroyed = false;
  bounds = { x: 0, y: 0, width: 0, height: 0 };
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.all.push(this);
    fake.app.emit('web-contents-created', {}, this.webContents);
    fake.app.emit('browser-window-created', {}, this);
  }
  setAlwaysOnTop(flag: boolean, level?: string) {
    this.alwaysOnTop = [flag, level];
  }
  setContentProtection(flag: boolean) {
    this.contentProtection = flag;
  }
  setVisibleOnAllWorkspaces(flag: boolean) {
    this.allWorkspaces = flag;
  }
  removeMenu() {}
  async loadURL(url: string) {
    this.webContents.mainFrame.url = url;
  }
  show() {
    this.visible = 'shown';
  }
  showInactive() {
    this.visible = 'inactive';
  }
  focus() {}
  isFocused() {
    return this.visible === 'shown';
  }
  flashFrame() {}
  getBounds() {
    return this.bounds;
  }
  setBounds(b: typeof this.bounds) {
    this.bounds = b;
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('closed');
  }
}

class FakeTray extends EventEmitter {
  static last: FakeTray | undefined;
  tooltip = '';
  menu: { label?: string; click?: () => void; enabled?: boolean }[] = [];
  constructor() {
    super();
    FakeTray.last = this;
  }
  setImage() {}
  setToolTip(t: string) {
    this.tooltip = t;
  }
  setContextMenu(m: { items: { label?: string; click?: () => void; enabled?: boolean }[] }) {
    this.menu = m.items;
  }
  destroy() {}
}

class FakeNotification {
  static shown: Record<string, unknown>[] = [];
  static isSupported() {
    return true;
  }
  constructor(private readonly o: Record<string, unknown>) {}
  show() {
    FakeNotification.shown.push(this.o);
  }
}

const app = Object.assign(new EventEmitter(), {
  userData: '',
  appPath: '',
  quitCalls: 0,
  /** Lock releases and exits, in order ('release-lock', 'exit 1'). */
  lifecycle: [] as string[],
  requestSingleInstanceLock: () => true,
  releaseSingleInstanceLock() {
    app.lifecycle.push('release-lock');
  },
  whenReady: () => Promise.resolve(),
  quit() {
    app.quitCalls++;
  },
  exit(code = 0) {
    app.lifecycle.push(`exit ${code}`);
  },
  dock: undefined,
  isPackaged: false,
  getPath: () => app.userData,
  getAppPath: () => app.appPath,
  getVersion: () => '0.1.0',
  setLoginItemSettings() {},
  setAboutPanelOptions() {},
  showAboutPanel() {},
});

export const fake = {
  app,
  BrowserWindow: FakeBrowserWindow,
  Tray: FakeTray,
  Notification: FakeNotification,
  ipcMain: new EventEmitter(),
  powerMonitor: Object.assign(new EventEmitter(), {
    idleState: 'active' as 'active' | 'idle' | 'locked' | 'unknown',
    getSystemIdleState: (_threshold: number) => fake.powerMonitor.idleState,
  }),
  clipboard: { written: [] as string[], writeText: (t: string) => fake.clipboard.written.push(t) },
  shell: { opened: [] as string[], openExternal: async (u: string) => void fake.shell.opened.push(u), openPath: async () => '' },
  screen: Object.assign(new EventEmitter(), {
    getAllDisplays: () => [{ id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 }, scaleFactor: 1 }],
    getCursorScreenPoint: () => ({ x: 10, y: 10 }),
  }),
  session: {
    defaultSession: {
      handlers: {} as Record<string, unknown>,
      setPermissionRequestHandler: (h: unknown) => (fake.session.defaultSession.handlers.request = h),
      setPermissionCheckHandler: (h: unknown) => (fake.session.defaultSession.handlers.check = h),
      setDevicePermissionHandler: (h: unknown) => (fake.session.defaultSession.handlers.device = h),
    },
  },
  Menu: { buildFromTemplate: (items: unknown[]) => ({ items }) },
  nativeImage: { createFromPath: () => ({ setTemplateImage() {} }) },
};

/** What `import ... from 'electron'` gives main.ts under vi.mock. */
export const electronModule = { ...fake, default: fake };
