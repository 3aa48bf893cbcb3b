// BrowserWindow options per window, as data a unit test reads without
// Electron. Every window: isolated, sandboxed, no Node, web security on, its
// own preload. Runtime-only settings (always-on-top level, content
// protection, workspaces) are listed in `windowBehaviour` and applied by the
// window factory, because Electron has no constructor option for them.
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import type { BannerSize, IpcWindow } from '../shared/ipc-contract.js';

export const CONSENT_SIZE = { width: 560, height: 680 } as const;
export const BANNER_WIDTH = 760;
export const BANNER_HEIGHTS: Record<BannerSize, number> = { compact: 84, expanded: 340 };
export const SUMMARY_SIZE = { width: 640, height: 720 } as const;
export const SETTINGS_SIZE = { width: 620, height: 760 } as const;

/** Shared by every window; tests assert each one, so removing any fails a test. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    // Middle-click would try to open a new window (denied anyway); don't even fire it.
    disableBlinkFeatures: 'Auxclick',
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    disableDialogs: true,
    devTools: false,
  };
}

const common = {
  show: false,
  autoHideMenuBar: true,
} satisfies BrowserWindowConstructorOptions;

export function windowOptions(window: IpcWindow, preload: string, opts: { devTools?: boolean } = {}): BrowserWindowConstructorOptions {
  const webPreferences = { ...secureWebPreferences(preload), devTools: opts.devTools === true };
  switch (window) {
    case 'consent':
      return {
        ...common,
        ...CONSENT_SIZE,
        webPreferences,
        title: 'Remote support request',
        resizable: false,
        minimizable: false,
        maximizable: false,
        fullscreenable: false,
        closable: true,
        focusable: true,
        alwaysOnTop: true,
        skipTaskbar: false,
        center: true,
        frame: true,
      };
    case 'banner':
      return {
        ...common,
        width: BANNER_WIDTH,
        height: BANNER_HEIGHTS.compact,
        webPreferences,
        title: 'Remote support session',
        frame: false,
        resizable: false,
        movable: true,
        minimizable: false,
        maximizable: false,
        fullscreenable: false,
        // Ending the session is the only way to remove the banner.
        closable: false,
        alwaysOnTop: true,
        skipTaskbar: true,
        hasShadow: true,
        focusable: true,
      };
    case 'summary':
      return {
        ...common,
        ...SUMMARY_SIZE,
        webPreferences,
        title: 'Remote support session summary',
        resizable: true,
        minWidth: 420,
        minHeight: 400,
        fullscreenable: false,
      };
    case 'settings':
      return {
        ...common,
        ...SETTINGS_SIZE,
        webPreferences,
        title: 'Porchlight settings',
        resizable: true,
        minWidth: 420,
        minHeight: 400,
        fullscreenable: false,
      };
  }
}

export interface WindowBehaviour {
  /** `setAlwaysOnTop(true, level)`, or undefined for a normal window. */
  alwaysOnTopLevel?: 'screen-saver' | 'floating';
  /**
   * `setContentProtection(true)`: on Windows a remote viewer sees a blank rectangle; on macOS ScreenCaptureKit capture
   * may ignore it; on Linux it does nothing. Injected input can still click it, which is why escalations under remote
   * control need a typed confirmation code, or decline where the code would be visible (escalation-mode.ts).
   */
  contentProtection: boolean;
  /** `setVisibleOnAllWorkspaces(true, {visibleOnFullScreen: true})`. */
  visibleOnAllWorkspaces: boolean;
}

export function windowBehaviour(window: IpcWindow): WindowBehaviour {
  switch (window) {
    case 'consent':
      return { alwaysOnTopLevel: 'screen-saver', contentProtection: true, visibleOnAllWorkspaces: true };
    case 'banner':
      // Visible to the technician on purpose: they see what the user sees.
      return { alwaysOnTopLevel: 'screen-saver', contentProtection: false, visibleOnAllWorkspaces: true };
    case 'summary':
    case 'settings':
      return { contentProtection: false, visibleOnAllWorkspaces: false };
  }
}
