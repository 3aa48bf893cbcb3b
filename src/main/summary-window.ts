// The end-of-session summary: what happened, with Copy and Close. A newer
// summary replaces the one on screen in the same window.
import type { SummaryView } from '../shared/view-models.js';
import type { SessionActions } from './banner-actions.js';
import type { ExpectedSender } from './ipc-guard.js';
import type { HandlersOf } from './ipc-routes.js';
import { PageReadyQueue } from './page-ready-queue.js';
import { attachZoom } from './zoom.js';
import { destroyWindow, senderOf, type ShellWindow, type WindowFactory } from './shell-window.js';

export interface SummaryWindowServices {
  windows: WindowFactory;
  writeClipboard(text: string): void;
  log(event: string, detail: string): void;
  /** Which modifier zooms (Cmd on macOS); defaults to this process's platform. */
  platform?: NodeJS.Platform;
}

export class SummaryWindow {
  private window: ShellWindow | undefined;
  private readonly pages: PageReadyQueue;
  /** The session whose summary is on screen: the only one the page may answer for. */
  private shownSessionId: string | undefined;
  private actions: SessionActions | undefined;

  constructor(private readonly s: SummaryWindowServices) {
    this.pages = new PageReadyQueue(s.log);
  }

  setActions(actions: SessionActions): void {
    this.actions = actions;
  }

  show(view: SummaryView): void {
    this.shownSessionId = view.sessionId;
    if (this.window && !this.window.isDestroyed()) {
      this.pages.send(this.window, 'summary:show', view);
      this.window.focus();
      return;
    }
    this.window = this.openWindow(view);
  }

  expectedSender(): ExpectedSender | undefined {
    return senderOf(this.window, this.s.windows.pageUrl('summary'));
  }

  ipcHandlers(): HandlersOf<'summary'> {
    return {
      'summary:ready': () => this.pages.ready(this.window),
      'summary:copy': (text) => {
        if (this.window) this.s.writeClipboard(text);
      },
      'summary:resolution': (answer) => {
        if (!this.window || answer.sessionId !== this.shownSessionId || !this.actions) {
          this.s.log('summary-resolution-refused', `for ${answer.sessionId}: not the summary on screen`);
          return;
        }
        void this.actions.sendResolution(answer);
      },
      'summary:close': () => this.close(),
    };
  }

  /** A second launch or the tray asks for attention (no prompt is up). */
  bringToFront(): void {
    if (this.window && !this.window.isDestroyed()) this.window.focus();
  }

  close(): void {
    const window = this.window;
    this.window = undefined;
    destroyWindow(window);
  }

  private openWindow(view: SummaryView): ShellWindow {
    const window = this.s.windows.open('summary');
    // Ctrl/Cmd +, - and 0: the page reflows, the window keeps its size.
    attachZoom(window.webContents, this.s.platform ?? process.platform);
    window.onClosed(() => {
      if (this.window === window) this.window = undefined;
    });
    window.onGone(() => destroyWindow(window));
    // Shown and focused only once its page has the view.
    if (this.pages.send(window, 'summary:show', view)) {
      this.pages.whenReady(window, () => {
        window.show();
        window.focus();
      });
    }
    return window;
  }
}
