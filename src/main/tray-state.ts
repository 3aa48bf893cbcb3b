// What the tray shows for an agent status: icon, tooltip and menu, as data.
// The wiring turns the menu model into an Electron Menu (toMenuTemplate).
import type { MenuItemConstructorOptions } from 'electron';
import type { AgentStatus } from '../core/ui-port.js';
import { windowWords } from '../shared/window-words.js';

export const TRAY_ICON_STATES = ['idle', 'prompting', 'live'] as const;
export type TrayIconState = (typeof TRAY_ICON_STATES)[number];

/** A prompt waiting for the user is the most urgent thing to show, then a live session. */
export function trayIconState(status: AgentStatus): TrayIconState {
  if (status.prompting) return 'prompting';
  if (status.session) return 'live';
  return 'idle';
}

/**
 * The icon file (relative to the app root) for a state on a platform:
 * macOS template images (Electron picks `<name>@2x.png` beside it by itself),
 * .ico on Windows (16/24/32 px inside), PNG elsewhere.
 */
export function trayIconFile(state: TrayIconState, platform: NodeJS.Platform): string {
  if (platform === 'darwin') return `assets/tray/${state}Template.png`;
  if (platform === 'win32') return `assets/tray/${state}.ico`;
  return `assets/tray/${state}.png`;
}

/** Windows truncates tray tooltips at 127 characters. */
export const TOOLTIP_MAX = 127;

function relayHost(relayUrl: string | undefined): string {
  if (!relayUrl || !URL.canParse(relayUrl)) return 'the relay';
  return new URL(relayUrl).host;
}

export function connectionLine(status: AgentStatus): string {
  switch (status.connection) {
    case 'not-configured':
      return 'Not configured: no relay set';
    case 'connecting':
      return `Connecting to ${relayHost(status.relayUrl)}…`;
    case 'connected':
      return `Connected to ${relayHost(status.relayUrl)}`;
    case 'disconnected':
      return `Disconnected from ${relayHost(status.relayUrl)}, retrying`;
  }
}

export type TimeFormat = (iso: string) => string;
export const localTime: TimeFormat = (iso) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

export function sessionLine(session: NonNullable<AgentStatus['session']>, formatTime: TimeFormat): string {
  return `${session.technicianName} is connected (ticket ${session.ticketId}) until ${formatTime(session.endsAt)}`;
}

export function trayTooltip(status: AgentStatus, formatTime: TimeFormat = localTime): string {
  let text: string;
  if (status.prompting) text = 'Porchlight: a remote support request is waiting for you';
  else if (status.session) text = `Porchlight: ${sessionLine(status.session, formatTime)}`;
  else text = `Porchlight: ${connectionLine(status)}`;
  return text.length > TOOLTIP_MAX ? `${text.slice(0, TOOLTIP_MAX - 1)}…` : text;
}

/** `cancel-window:ID`: the user cancels a window they agreed to in advance (issue 20). */
export type TrayAction = 'end-session' | 'open-audit-folder' | 'settings' | 'about' | 'quit' | `cancel-window:${string}`;

/** The window id a Cancel item names, or undefined for any other action. */
export function cancelledWindowId(action: TrayAction): string | undefined {
  return action.startsWith('cancel-window:') ? action.slice('cancel-window:'.length) : undefined;
}

export type TrayMenuItem =
  | { kind: 'label'; label: string }
  | { kind: 'action'; action: TrayAction; label: string }
  | { kind: 'separator' };

export interface TrayMenuOptions {
  /** Managed policy `allowQuit`: false hides Quit. */
  allowQuit: boolean;
  formatTime?: TimeFormat;
  /** How an agreed window is said ("tonight 18:00-20:00"); default: window-words.ts in this machine's zone. */
  windowWhen?: (startsAt: string, endsAt: string) => string;
}

/** "Agreed: tonight 18:00-20:00, INC0012345 - Cancel": one item per window; clicking it cancels that window. */
export function agreedWindowItems(status: AgentStatus, when: (startsAt: string, endsAt: string) => string): TrayMenuItem[] {
  return (status.agreedWindows ?? []).map((w) => ({
    kind: 'action' as const,
    action: `cancel-window:${w.windowId}` as const,
    label: `Agreed: ${when(w.startsAt, w.endsAt)}, ${w.ticketId} - Cancel`,
  }));
}

export function trayMenu(status: AgentStatus, o: TrayMenuOptions): TrayMenuItem[] {
  const items: TrayMenuItem[] = [{ kind: 'label', label: connectionLine(status) }];
  if (status.connection !== 'connected' && status.connectionProblem) items.push({ kind: 'label', label: `Why: ${status.connectionProblem.slice(0, 200)}` });
  if (status.session) {
    items.push({ kind: 'label', label: sessionLine(status.session, o.formatTime ?? localTime) });
    items.push({ kind: 'action', action: 'end-session', label: 'End session' });
  } else if (status.prompting) {
    items.push({ kind: 'label', label: 'A request is waiting for your answer' });
  } else {
    items.push({ kind: 'label', label: 'No remote support session' });
  }
  items.push(...agreedWindowItems(status, o.windowWhen ?? ((a, b) => windowWords(a, b, Date.now()))));
  items.push({ kind: 'separator' });
  items.push({ kind: 'action', action: 'open-audit-folder', label: 'Open audit folder' });
  items.push({ kind: 'action', action: 'settings', label: 'Settings…' });
  items.push({ kind: 'action', action: 'about', label: 'About Porchlight' });
  if (o.allowQuit) {
    items.push({ kind: 'separator' });
    items.push({ kind: 'action', action: 'quit', label: 'Quit Porchlight' });
  }
  return items;
}

/** The Electron menu template; labels are inert text (no accelerators, no roles). */
export function toMenuTemplate(items: readonly TrayMenuItem[], onAction: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: escapeAmpersand(item.label), enabled: false };
      case 'action':
        return { label: escapeAmpersand(item.label), click: () => onAction(item.action) };
    }
  });
}

/** Windows menus treat `&` as a mnemonic marker; names from the network must show literally. */
function escapeAmpersand(label: string): string {
  return label.replaceAll('&', '&&');
}
