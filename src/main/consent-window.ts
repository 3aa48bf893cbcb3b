// The consent dialog: one prompt at a time, in its own window, never reused
// for a second prompt. The window is shown only after its page got the view
// (content protection on first); closing it, a crashed page, or the core's
// abort (timeout, relay lost) declines. Optionally a hidden window is kept
// loaded for the next prompt (consent-preload.ts).
import type { IpcChannel } from '../shared/ipc-contract.js';
import type { ConsentAnswer, ConsentView } from '../shared/view-models.js';
import { ConsentPreload } from './consent-preload.js';
import type { ExpectedSender } from './ipc-guard.js';
import type { HandlersOf } from './ipc-routes.js';
import { PageReadyQueue } from './page-ready-queue.js';
import { consentSizeForZoom } from './consent-size.js';
import { consentBounds, displayAt, replaceAfterDisplayChange, type Size } from './placement.js';
import { destroyWindow, senderOf, type ScreenInfo, type ShellWindow, type WindowFactory } from './shell-window.js';
import { attachZoom } from './zoom.js';

export interface ConsentWindowServices {
  windows: WindowFactory;
  screen: ScreenInfo;
  openExternal(url: string): void;
  log(event: string, detail: string): void;
  /** Run a task a little later (the next preload); returns its cancel. */
  later(task: () => void): () => void;
  /** Which modifier zooms (Cmd on macOS); defaults to this process's platform. */
  platform?: NodeJS.Platform;
}

interface OpenPrompt {
  view: ConsentView;
  window: ShellWindow;
  finish(answer: ConsentAnswer): void;
}

const dismissedAnswer = (view: ConsentView): ConsentAnswer => ({ kind: 'dismissed', promptId: view.promptId });

export class ConsentWindow {
  private prompt: OpenPrompt | undefined;
  private readonly pages: PageReadyQueue;
  private readonly preload: ConsentPreload;

  constructor(
    private readonly s: ConsentWindowServices,
    options: { preload: boolean },
  ) {
    this.pages = new PageReadyQueue(s.log);
    this.preload = new ConsentPreload(
      {
        open: () => this.openWindow(),
        pageUrl: s.windows.pageUrl('consent'),
        pages: this.pages,
        promptUp: () => this.prompt !== undefined,
        later: s.later,
        log: s.log,
      },
      options.preload,
    );
  }

  /** The app is up: start keeping a consent window ready (if preloading is on). */
  warmUp(): void {
    this.preload.schedule();
  }

  ask(view: ConsentView, signal: AbortSignal): Promise<ConsentAnswer> {
    if (signal.aborted) return Promise.resolve(dismissedAnswer(view));
    // The core shows one prompt at a time; a leftover window would be a bug, so it declines.
    this.prompt?.finish(dismissedAnswer(this.prompt.view));
    return new Promise<ConsentAnswer>((resolve) => {
      const window = this.preload.take() ?? this.openWindow();
      let done = false;
      const finish = (answer: ConsentAnswer) => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', onAbort);
        if (this.prompt?.window === window) this.prompt = undefined;
        // Never reused for a second prompt: the next one gets a fresh page.
        destroyWindow(window);
        resolve(answer);
        this.preload.schedule();
      };
      const onAbort = () => finish(dismissedAnswer(view));
      signal.addEventListener('abort', onAbort, { once: true });
      // Closing the dialog (title-bar X, Alt+F4, Cmd+W) declines.
      window.onClosed(() => finish(dismissedAnswer(view)));
      window.onFocus(() => window.flashFrame(false));
      // A crashed dialog can't be answered: decline rather than leave a blank window up.
      window.onGone(() => finish(dismissedAnswer(view)));
      window.setBounds(consentBounds(this.s.screen.displays(), this.s.screen.cursor(), this.sizeFor(window, this.s.screen.cursor())));
      this.prompt = { view, window, finish };
      // Set again before the view reaches the page: a preloaded window may have waited hidden for hours.
      window.setContentProtection(true);
      // A view that breaks the contract is never sent, and the prompt declines.
      if (!this.pages.send(window, 'consent:show', view)) {
        finish(dismissedAnswer(view));
        return;
      }
      // Shown only once the page has the view (at once for a preloaded page that said ready).
      this.pages.whenReady(window, () => this.reveal(window));
    });
  }

  expectedSender(channel?: IpcChannel): ExpectedSender | undefined {
    // The preloaded window holds no prompt: it may only say it is ready (its answers are rejected).
    const window = this.prompt?.window ?? (channel === 'consent:ready' ? this.preload.window : undefined);
    return senderOf(window, this.s.windows.pageUrl('consent'));
  }

  ipcHandlers(): HandlersOf<'consent'> {
    return {
      // The guard took it from the prompt's window, or (no prompt up) from the preloaded one.
      'consent:ready': () => this.pages.ready(this.prompt?.window ?? this.preload.window),
      'consent:answer': (answer) => {
        const prompt = this.prompt;
        if (!prompt || answer.promptId !== prompt.view.promptId) {
          this.s.log('stale-answer', `answer for ${answer.promptId} ignored: not the prompt on screen`);
          return;
        }
        prompt.finish(answer);
      },
      'consent:open-ticket': (url) => {
        // Only the link of the ticket on screen, never a URL the page made up.
        if (!this.prompt || this.prompt.view.ticket.url !== url) {
          this.s.log('ticket-link-refused', url.slice(0, 200));
          return;
        }
        this.s.openExternal(url);
      },
    };
  }

  /** The line behind the prompt on screen changed: its "N more waiting" follows (another prompt's count is dropped). */
  queued(promptId: string, queued: number): void {
    const prompt = this.prompt;
    if (!prompt || prompt.view.promptId !== promptId) return;
    this.pages.send(prompt.window, 'consent:queued', { promptId, queued });
  }

  /** Displays changed: keep the dialog where the user can see it (the hidden preloaded one waits). */
  displaysChanged(): void {
    const window = this.prompt?.window;
    if (!window || window.isDestroyed()) return;
    const { displays, cursor } = this.s.screen;
    window.setBounds(replaceAfterDisplayChange('consent', window.getBounds(), displays(), cursor(), this.sizeFor(window, cursor())));
  }

  /** A second launch or the tray asks for attention: true when a prompt is up and was brought forward. */
  bringToFront(): boolean {
    const window = this.prompt?.window;
    if (!window || window.isDestroyed()) return false;
    this.reveal(window);
    return true;
  }

  /** Quitting, or the OS ending the session: preload nothing more. */
  standDown(): void {
    this.preload.stop();
  }

  /** App quitting: decline the prompt on screen and destroy the preloaded window. */
  close(): void {
    this.preload.close();
    this.prompt?.finish(dismissedAnswer(this.prompt.view));
  }

  private openWindow(): ShellWindow {
    const window = this.s.windows.open('consent');
    // Larger text needs a larger window for the same content (consent-size.ts); re-centred where it is.
    attachZoom(window.webContents, this.s.platform ?? process.platform, () => {
      if (this.prompt?.window !== window || window.isDestroyed()) return;
      const current = window.getBounds();
      const centre = { x: current.x + Math.floor(current.width / 2), y: current.y + Math.floor(current.height / 2) };
      window.setBounds(consentBounds(this.s.screen.displays(), centre, this.sizeFor(window, centre)));
    });
    return window;
  }

  /** The dialog's size at its page's zoom level, within the work area of the display at `at`. */
  private sizeFor(window: ShellWindow, at: { x: number; y: number }): Size {
    const displays = this.s.screen.displays();
    if (displays.length === 0) return consentSizeForZoom(1, { x: 0, y: 0, width: Infinity, height: Infinity });
    return consentSizeForZoom(window.webContents.getZoomFactor(), displayAt(displays, at).workArea);
  }

  private reveal(window: ShellWindow): void {
    window.show();
    window.focus();
    // Focus-stealing prevention (Windows, some Linux WMs): ask for attention instead.
    if (!window.isFocused()) window.flashFrame(true);
  }
}
