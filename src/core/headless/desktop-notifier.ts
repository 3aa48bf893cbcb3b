// How the headless agent tells a logged-in desktop user something. The real
// one wraps node-notifier; tests inject a recorder (test/core/headless/recording-notifier.ts).
export interface DesktopNotifier {
  /** Resolves when shown; rejects when the desktop can't be reached (no display, no notify-send). */
  notify(title: string, body: string): Promise<void>;
}
