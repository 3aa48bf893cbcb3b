// The SettingsBackend on electron-store (a JSON file in the app's userData
// folder). electron-store imports electron, so only main.ts loads this file;
// the settings logic is tested with a file-backed backend instead.
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { ipcMain } from 'electron';
import Store from 'electron-store';
import type { BackendRead, SettingsBackend, UserSettings } from './settings.js';

const NAME = 'settings';

export function electronStoreBackend(dir: string): SettingsBackend {
  let store: Store<Record<string, unknown>> | undefined;
  const open = () => {
    if (store) return store;
    store = new Store<Record<string, unknown>>({ name: NAME, cwd: dir, clearInvalidConfig: false, accessPropertiesByDotNotation: false });
    // electron-store registers a sync IPC channel for renderer-side stores; ours
    // live in main only, and main listens on contract channels only.
    ipcMain.removeAllListeners('electron-store-get-data');
    return store;
  };
  return {
    read(): BackendRead {
      try {
        return { ok: true, data: open().store };
      } catch (err) {
        return { ok: false, detail: (err as Error).message.slice(0, 200) };
      }
    },
    write(data: UserSettings) {
      open().store = data as Record<string, unknown>;
    },
    reset() {
      store = undefined;
      // Keep the bad file for support staff to look at; start a fresh one.
      try {
        renameSync(join(dir, `${NAME}.json`), join(dir, `${NAME}.json.corrupt-${Date.now()}`));
      } catch {
        // Nothing to move aside.
      }
    },
  };
}
