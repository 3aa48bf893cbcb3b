// The real desktop notifier for headless mode: node-notifier (notify-send on
// Linux, Notification Center on macOS, toasts on Windows). Loaded lazily so a
// broken install surfaces as a rejected notify(), never as a crash at start.
import type { DesktopNotifier } from './desktop-notifier.js';

interface NodeNotifierModule {
  notify(options: { title: string; message: string; wait?: boolean }, callback: (err: Error | null) => void): unknown;
}

export function nodeNotifierDesktop(): DesktopNotifier {
  let loaded: Promise<NodeNotifierModule> | undefined;
  return {
    async notify(title, body) {
      loaded ??= import('node-notifier').then((m) => (m.default ?? m) as unknown as NodeNotifierModule);
      const notifier = await loaded;
      await new Promise<void>((resolve, reject) => {
        try {
          notifier.notify({ title, message: body, wait: false }, (err) => (err ? reject(err) : resolve()));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    },
  };
}
