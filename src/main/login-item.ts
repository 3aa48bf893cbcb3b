// Start at login. Windows and macOS use app.setLoginItemSettings; on Linux
// the deb/rpm install an autostart .desktop file (Electron has no API there).
import type { Settings as LoginItemSettings } from 'electron';

export const HIDDEN_ARG = '--hidden';

export function loginItemSettings(startAtLogin: boolean, platform: NodeJS.Platform, execPath: string): LoginItemSettings | undefined {
  if (platform === 'win32') return { openAtLogin: startAtLogin, path: execPath, args: [HIDDEN_ARG], enabled: startAtLogin };
  if (platform === 'darwin') return { openAtLogin: startAtLogin, args: [HIDDEN_ARG] };
  return undefined;
}

/**
 * The Linux autostart entry always runs `porchlight --hidden` (the package
 * can't know the user's setting): when start-at-login is off, that launch quits.
 */
export function skipAutostartLaunch(startAtLogin: boolean, argv: readonly string[]): boolean {
  return !startAtLogin && argv.includes(HIDDEN_ARG);
}
