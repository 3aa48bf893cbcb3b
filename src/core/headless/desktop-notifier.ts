// How the headless agent tells a logged-in desktop user something. The real
// one wraps node-notifier; tests inject a recorder.
export interface DesktopNotifier {
  /** Resolves when shown; rejects when the desktop can't be reached (no display, no notify-send). */
  notify(title: string, body: string): Promise<void>;
}

/** Records every notification instead of showing it (tests). */
export class RecordingNotifier implements DesktopNotifier {
  readonly shown: { title: string; body: string }[] = [];
  constructor(private readonly fail = false) {}

  async notify(title: string, body: string): Promise<void> {
    if (this.fail) throw new Error('no desktop session to notify');
    this.shown.push({ title, body });
  }
}
