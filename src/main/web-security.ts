// Default deny for everything a page could ask of the browser: navigating
// away, opening windows, attaching webviews, and permission prompts. Applied
// to every webContents the app creates (app 'web-contents-created') and to
// the default session. Structural types so tests pass plain fakes.
export interface PreventableEvent {
  preventDefault(): void;
}

export type SecurityLog = (what: string, detail: string) => void;

/** The parts of Electron's WebContents used here. */
export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', listener: (event: PreventableEvent, ...rest: unknown[]) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent, ...rest: unknown[]) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** The parts of Electron's Session used here. */
export interface SessionLike {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
  setDevicePermissionHandler(handler: () => boolean): void;
}

const urlOf = (rest: unknown[], event: unknown): string => {
  const fromEvent = (event as { url?: unknown }).url;
  const candidate = typeof fromEvent === 'string' ? fromEvent : rest.find((r) => typeof r === 'string');
  return typeof candidate === 'string' ? candidate.slice(0, 200) : '(unknown)';
};

/** Pages never navigate: they are loaded once by main with loadURL, which does not pass through these events. */
export function denyNavigation(log: SecurityLog) {
  return (event: PreventableEvent, ...rest: unknown[]): void => {
    event.preventDefault();
    log('navigation-denied', urlOf(rest, event));
  };
}

/** window.open and target=_blank never create windows; ticket links go through the bridge. */
export function denyWindowOpen(log: SecurityLog) {
  return (details: { url: string }): { action: 'deny' } => {
    log('window-open-denied', String(details.url).slice(0, 200));
    return { action: 'deny' };
  };
}

export function denyWebviewAttach(log: SecurityLog) {
  return (event: PreventableEvent): void => {
    event.preventDefault();
    log('webview-denied', '<webview> attach blocked');
  };
}

export function denyPermissionRequest(log: SecurityLog) {
  return (_webContents: unknown, permission: string, callback: (granted: boolean) => void): void => {
    log('permission-denied', String(permission));
    callback(false);
  };
}

export const denyPermissionCheck = (): boolean => false;

export function hardenWebContents(contents: WebContentsLike, log: SecurityLog): void {
  const navigation = denyNavigation(log);
  contents.on('will-navigate', navigation);
  contents.on('will-frame-navigate', navigation);
  contents.on('will-redirect', navigation);
  contents.on('will-attach-webview', denyWebviewAttach(log));
  contents.setWindowOpenHandler(denyWindowOpen(log));
}

export function hardenSession(session: SessionLike, log: SecurityLog): void {
  session.setPermissionRequestHandler(denyPermissionRequest(log));
  session.setPermissionCheckHandler(denyPermissionCheck);
  session.setDevicePermissionHandler(denyPermissionCheck);
}
