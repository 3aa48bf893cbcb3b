// Electron wiring: the tray icon, tooltip and menu from tray-state.ts.
import { join } from 'node:path';
import { Menu, nativeImage, Tray, type NativeImage } from 'electron';
import type { AgentStatus } from '../core/ui-port.js';
import { toMenuTemplate, trayIconFile, trayIconState, trayMenu, trayTooltip, type TrayAction, type TrayIconState } from './tray-state.js';

export interface ShellTray {
  update(status: AgentStatus): void;
  tooltip(): string;
  destroy(): void;
}

export function createShellTray(appRoot: string, o: { allowQuit: boolean; onAction(action: TrayAction, status: AgentStatus): void; onClick(): void }): ShellTray {
  const icon = (state: TrayIconState): NativeImage => {
    const image = nativeImage.createFromPath(join(appRoot, trayIconFile(state, process.platform)));
    if (process.platform === 'darwin') image.setTemplateImage(true);
    return image;
  };
  const tray = new Tray(icon('idle'));
  let current: AgentStatus = { connection: 'not-configured', prompting: false };
  tray.on('click', () => o.onClick());
  const shell: ShellTray = {
    update(status) {
      current = status;
      tray.setImage(icon(trayIconState(status)));
      tray.setToolTip(trayTooltip(status));
      tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(trayMenu(status, { allowQuit: o.allowQuit }), (a) => o.onAction(a, current))));
    },
    tooltip: () => trayTooltip(current),
    destroy: () => tray.destroy(),
  };
  shell.update(current);
  return shell;
}
