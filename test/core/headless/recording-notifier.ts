// A DesktopNotifier for tests: records every notification instead of showing it.
import type { DesktopNotifier } from '../../../src/core/headless/desktop-notifier.js';

export class RecordingNotifier implements DesktopNotifier {
  readonly shown: { title: string; body: string }[] = [];
  constructor(private readonly fail = false) {}

  async notify(title: string, body: string): Promise<void> {
    if (this.fail) throw new Error('no desktop session to notify');
    this.shown.push({ title, body });
  }
}
