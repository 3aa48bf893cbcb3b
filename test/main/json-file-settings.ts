// A SettingsBackend on a real JSON file, standing in for electron-store
// (which imports electron and so cannot load under vitest).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { BackendRead, SettingsBackend, UserSettings } from '../../src/main/settings.js';

export function jsonFileBackend(path: string): SettingsBackend {
  return {
    read(): BackendRead {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, data: undefined };
        return { ok: false, detail: (err as Error).message };
      }
      try {
        return { ok: true, data: JSON.parse(text) as unknown };
      } catch (err) {
        return { ok: false, detail: (err as Error).message };
      }
    },
    write(data: UserSettings) {
      writeFileSync(path, JSON.stringify(data, null, 2));
    },
    reset() {
      renameSync(path, `${path}.corrupt`);
    },
  };
}
