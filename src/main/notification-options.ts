// How each agent notification looks as an Electron Notification.
import type { NotificationConstructorOptions } from 'electron';
import type { Notification } from '../core/ui-port.js';

/** Notification bodies are plain text; keep them short enough for every OS. */
export const NOTIFICATION_BODY_MAX = 250;

export function notificationOptions(n: Notification): NotificationConstructorOptions {
  // Someone is (or was) on this machine without a prompt, or a request was refused: the user must see it.
  const important = n.kind === 'unattended-start' || n.kind === 'policy-block' || n.kind === 'session-end';
  return {
    title: n.title.slice(0, 100),
    body: n.body.length > NOTIFICATION_BODY_MAX ? `${n.body.slice(0, NOTIFICATION_BODY_MAX - 1)}…` : n.body,
    silent: false,
    urgency: n.kind === 'unattended-start' ? 'critical' : important ? 'normal' : 'low',
    // An unattended start stays until the user dismisses it (Windows/Linux).
    timeoutType: n.kind === 'unattended-start' ? 'never' : 'default',
  };
}
