// The settings window: opened from the tray, shows every row of
// settings-rows.ts, and changes a preference only when main agrees. Page
// messages arrive through the IPC guard (sender and schema already checked);
// here every change is checked again against what the window may change, the
// lock, and the policy schema (Settings.set). Refusals are logged and answered
// with a stable code; nothing else happens.
import type { Policy } from '../core/policy/schema.js';
import {
  WINDOW_EDITABLE_KEYS,
  type SettingsChange,
  type SettingsResult,
  type WindowEditableKey,
} from '../shared/settings-view.js';
import type { ExpectedSender } from './ipc-guard.js';
import type { HandlersOf } from './ipc-routes.js';
import { PageReadyQueue } from './page-ready-queue.js';
import type { Settings } from './settings.js';
import { settingsRow, settingsView } from './settings-rows.js';
import { attachZoom } from './zoom.js';
import { destroyWindow, senderOf, type ShellWindow, type WindowFactory } from './shell-window.js';

export interface SettingsWindowServices {
  windows: WindowFactory;
  settings: Pick<Settings, 'entries' | 'effective' | 'isPolicyKeyLocked' | 'set'>;
  /**
   * A preference was stored: apply what can change while running (the login
   * item). Returns true when the rest waits for the next start (the agent core
   * takes its policy once).
   */
  apply(key: WindowEditableKey, policy: Policy): { restartRequired: boolean };
  log(event: string, detail: string): void;
  /** Which modifier zooms (Cmd on macOS); defaults to this process's platform. */
  platform?: NodeJS.Platform;
}

function isWindowEditable(key: string): key is WindowEditableKey {
  return (WINDOW_EDITABLE_KEYS as readonly string[]).includes(key);
}

export class SettingsWindow {
  private window: ShellWindow | undefined;
  private readonly pages: PageReadyQueue;

  constructor(private readonly s: SettingsWindowServices) {
    this.pages = new PageReadyQueue(s.log);
  }

  /** Tray "Settings…": open it, or bring the open one to the front. */
  open(): void {
    if (this.window && !this.window.isDestroyed()) {
      this.window.show();
      this.window.focus();
      return;
    }
    this.window = this.openWindow();
  }

  expectedSender(): ExpectedSender | undefined {
    return senderOf(this.window, this.s.windows.pageUrl('settings'));
  }

  /** Managed policy or the store changed under an open window: show the new values. */
  refresh(): void {
    if (this.window) this.pages.send(this.window, 'settings:show', settingsView(this.s.settings));
  }

  close(): void {
    const window = this.window;
    this.window = undefined;
    destroyWindow(window);
  }

  ipcHandlers(): HandlersOf<'settings'> {
    return {
      'settings:ready': () => this.pages.ready(this.window),
      // A reply to the page's own message: it is listening, so it goes out at once.
      'settings:change': (change) => {
        const result = this.change(change);
        if (this.window) this.pages.reply(this.window, 'settings:result', result);
      },
      'settings:close': () => this.close(),
    };
  }

  private change({ key, value }: SettingsChange): SettingsResult {
    const refuse = (code: Extract<SettingsResult, { ok: false }>['code'], detail: string): SettingsResult => {
      this.s.log('settings-change-refused', `${code} ${key}: ${detail}`);
      if (!isWindowEditable(key)) return { ok: false, key, code };
      return { ok: false, key, code, row: settingsRow(this.s.settings, key) };
    };
    // The relay and IT-only keys are never changed from this window, whatever the page sends.
    if (!isWindowEditable(key)) return refuse('not-user-setting', 'not a preference this window may change');
    const stored = this.s.settings.set(key, value);
    if (!stored.ok) return refuse(stored.code, stored.detail);
    const { restartRequired } = this.s.apply(key, this.s.settings.effective().policy);
    this.s.log('settings-changed', `${key} = ${JSON.stringify(value).slice(0, 200)}`);
    return { ok: true, key, row: settingsRow(this.s.settings, key), restartRequired };
  }

  private openWindow(): ShellWindow {
    const window = this.s.windows.open('settings');
    // Ctrl/Cmd +, - and 0: the page reflows, the window keeps its size.
    attachZoom(window.webContents, this.s.platform ?? process.platform);
    window.onClosed(() => {
      if (this.window === window) this.window = undefined;
    });
    window.onGone(() => destroyWindow(window));
    // The rows are read when the page is ready (the freshest values), and only then is it shown.
    this.pages.whenReady(window, () => {
      if (!this.pages.send(window, 'settings:show', settingsView(this.s.settings))) return;
      window.show();
      window.focus();
    });
    return window;
  }
}
