// Where the built pages and preloads live relative to the app root (the folder
// with package.json: the checkout in development, the asar in a package).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IpcWindow } from '../shared/ipc-contract.js';

export interface AppPaths {
  /** file:// URL of the window's page; also the only URL its IPC may come from. */
  pageUrl(window: IpcWindow): string;
  /** Absolute path of the window's sandboxed CommonJS preload. */
  preload(window: IpcWindow): string;
}

export function appPaths(appRoot: string): AppPaths {
  return {
    pageUrl: (window) => pathToFileURL(join(appRoot, 'dist', 'renderer', window, 'index.html')).href,
    preload: (window) => join(appRoot, 'dist', 'preload', `${window}.cjs`),
  };
}
