// The settings window: opened from the tray, shows every row of
// settings-rows.ts, and changes a preference only when main agrees. Page
// messages arrive through the IPC guard (sender and schema already checked);
// here every change is checked again against what the window may change, the
// lock, and the policy schema (Settings.set). Refusals are logged and answered
// with a stable code; nothing else happens.
import type { Policy } from '../core/policy/schema.js';
import { parseIpcPayload } from '../shared/ipc-contract.js';
import { WINDOW_EDITABLE_KEYS, type SettingsChange, type SettingsResult, type WindowEditableKey } from '../shared/settings-view.js';
import type { ShellWindow, WindowFactory } from './electron-ui.js';
import type { ExpectedSender } from './ipc-guard.js';
import type { HandlersOf } from './ipc-routes.js';
import type { Settings } from './settings.js';
import { settingsRow, settingsView } from './settings-rows.js';

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
}

function isWindowEditable(key: string): key is WindowEditableKey {
  return (WINDOW_EDITABLE_KEYS as readonly string[]).includes(key);
}

export class SettingsWindow {
  private window: ShellWindow | undefined;

  constructor(private readonly s: SettingsWindowServices) {}

  /** Tray "Settings…": open it, or bring the open one to the front. */
  open(): void {
    if (this.window && !this.window.isDestroyed()) {
      this.window.show();
      this.window.focus();
      return;
    }
    const window = this.s.windows.open('settings');
    this.window = window;
    window.onClosed(() => {
      if (this.window === window) this.window = undefined;
    });
    window.onGone(() => {
      if (!window.isDestroyed()) window.destroy();
    });
  }

  expectedSender(): ExpectedSender | undefined {
    const w = this.window;
    if (!w || w.isDestroyed()) return undefined;
    return { webContentsId: w.webContentsId, url: this.s.windows.pageUrl('settings') };
  }

  /** Managed policy or the store changed under an open window: show the new values. */
  refresh(): void {
    if (this.window) this.post('settings:show', settingsView(this.s.settings));
  }

  close(): void {
    const w = this.window;
    this.window = undefined;
    if (w && !w.isDestroyed()) w.destroy();
  }

  ipcHandlers(): HandlersOf<'settings'> {
    return {
      'settings:ready': () => {
        const w = this.window;
        if (!w) return;
        if (this.post('settings:show', settingsView(this.s.settings))) {
          w.show();
          w.focus();
        }
      },
      'settings:change': (change) => this.post('settings:result', this.change(change)),
      'settings:close': () => this.close(),
    };
  }

  private change({ key, value }: SettingsChange): SettingsResult {
    const refuse = (code: Extract<SettingsResult, { ok: false }>['code'], detail: string): SettingsResult => {
      this.s.log('settings-change-refused', `${code} ${key}: ${detail}`);
      return isWindowEditable(key) ? { ok: false, key, code, row: settingsRow(this.s.settings, key) } : { ok: false, key, code };
    };
    // The relay and IT-only keys are never changed from this window, whatever the page sends.
    if (!isWindowEditable(key)) return refuse('not-user-setting', 'not a preference this window may change');
    const stored = this.s.settings.set(key, value);
    if (!stored.ok) return refuse(stored.code, stored.detail);
    const { restartRequired } = this.s.apply(key, this.s.settings.effective().policy);
    this.s.log('settings-changed', `${key} = ${JSON.stringify(value).slice(0, 200)}`);
    return { ok: true, key, row: settingsRow(this.s.settings, key), restartRequired };
  }

  /** Send only what satisfies the contract (the page checks again). */
  private post(channel: 'settings:show' | 'settings:result', payload: unknown): boolean {
    const w = this.window;
    const parsed = parseIpcPayload(channel, payload);
    if (!parsed.ok) {
      this.s.log('view-rejected', parsed.detail);
      return false;
    }
    if (!w || w.isDestroyed()) return false;
    w.send(channel, parsed.payload);
    return true;
  }
}
