// The Electron main process: lifecycle wiring only. Every decision lives in a
// tested module (start-shell and what it wires: launch-plan, settings,
// window controllers, ipc-guard, ipc-routes, web-security, tray-state;
// here: single-instance, start-when-ready, quit-sequence, os-session-end).
import { app, powerMonitor } from 'electron';
import { osSessionEnd } from './os-session-end.js';
import { quitSequence } from './quit-sequence.js';
import { claimSingleInstance } from './single-instance.js';
import { startShell, stopShell, type RunningShell } from './start-shell.js';
import { startWhenReady } from './start-when-ready.js';
import { hardenWebContents } from './web-security.js';

const log = (event: string, detail: string): void => {
  process.stderr.write(`${new Date().toISOString()} ${event}: ${detail}\n`);
};

const running: RunningShell = {};

if (claimSingleInstance(app, () => running.ui?.bringToFront())) {
  // A tray app: closing its last window must not quit it.
  app.on('window-all-closed', () => undefined);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, log));
  app.on('before-quit', quitSequence(app, () => stopShell(running), log));
  // Log-off, restart or power-off: the banner guard stands down and the same quit runs, once.
  const sessionEnd = osSessionEnd({ standDown: () => running.ui?.standDown(), quit: () => app.quit(), log });
  app.on('browser-window-created', (_event, win) => {
    win.on('query-session-end', sessionEnd.querySessionEnd);
    win.on('session-end', sessionEnd.sessionEnd);
  });
  app.whenReady().then(() => powerMonitor.on('shutdown', sessionEnd.shutdown), () => undefined);
  void startWhenReady(app, () => startShell(running, log), log);
}
