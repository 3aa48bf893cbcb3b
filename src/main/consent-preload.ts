// The preloaded consent window: one hidden consent window kept loaded for the
// next prompt, so the dialog appears without waiting for its page. Opening the
// page on arrival costs ~270 ms p50 before the dialog is painted, a loaded one
// ~50 ms (`npm run bench`). It holds no prompt, may only say it is ready, and
// is handed to one prompt, never reused.
import { samePage } from './ipc-guard.js';
import type { PageReadyQueue } from './page-ready-queue.js';
import { destroyWindow, type ShellWindow } from './shell-window.js';

export interface ConsentPreloadServices {
  /** Open a consent window the way the consent controller does (hidden, its page loading). */
  open(): ShellWindow;
  pageUrl: string;
  pages: PageReadyQueue;
  /** True while a prompt is on screen: nothing is preloaded then (its end schedules the next). */
  promptUp(): boolean;
  later(task: () => void): () => void;
  log(event: string, detail: string): void;
}

export class ConsentPreload {
  private idle: ShellWindow | undefined;
  private cancelPending: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly s: ConsentPreloadServices,
    private readonly enabled: boolean,
  ) {}

  /** The hidden window, while there is one (the IPC guard lets it say `consent:ready`, nothing else). */
  get window(): ShellWindow | undefined {
    return this.idle;
  }

  /** Preload a consent window soon; never while a prompt is up, never after stop(). */
  schedule(): void {
    if (!this.enabled || this.stopped || this.cancelPending) return;
    this.cancelPending = this.s.later(() => {
      this.cancelPending = undefined;
      if (this.stopped || this.s.promptUp() || this.idle) return;
      this.preload();
    });
  }

  /** Hand the preloaded window to a prompt if it still shows our page; a stale one is destroyed. */
  take(): ShellWindow | undefined {
    const idle = this.idle;
    this.idle = undefined;
    if (!idle || idle.isDestroyed()) return undefined;
    // Still loading (no URL committed yet) is fine: the guard checks the URL when 'consent:ready' comes.
    const url = idle.url();
    if (samePage(url, this.s.pageUrl) || (!this.s.pages.isReady(idle) && url === '')) return idle;
    this.s.log('consent-preload-discarded', `left its page: ${JSON.stringify(url.slice(0, 200))}`);
    idle.destroy();
    return undefined;
  }

  /** Quitting: cancel the pending preload; no new one after this. */
  stop(): void {
    this.stopped = true;
    this.cancelPending?.();
    this.cancelPending = undefined;
  }

  /** Quitting: stop, and destroy the hidden window. */
  close(): void {
    this.stop();
    const idle = this.idle;
    this.idle = undefined;
    destroyWindow(idle);
  }

  private preload(): void {
    const window = this.s.open();
    this.idle = window;
    // A crashed or closed idle window is dropped and replaced; once a prompt took it, these do nothing.
    const discard = (why: string) => {
      if (this.idle !== window) return;
      this.idle = undefined;
      this.s.log('consent-preload-discarded', why);
      destroyWindow(window);
      this.schedule();
    };
    window.onGone(() => discard('renderer gone'));
    window.onClosed(() => discard('window closed'));
  }
}
