// The Electron UI port: consent, banner and summary windows, notifications and
// the tray status, behind small interfaces (window factory, screen, notifier,
// clipboard, opener) that tests satisfy with fakes. Page messages arrive
// through `ipcHandlers()` only after the IPC guard accepted them, and
// `expectedSender()` tells the guard which window may send what.
// Optionally one hidden consent window is kept loaded for the next prompt, so
// the dialog appears without waiting for its page (see preload below).
import type { AgentStatus, Notification, UiPort } from '../core/ui-port.js';
import type { Scope } from '../protocol/scopes.js';
import { parseIpcPayload, type BannerSize, type ChannelsOf, type IpcChannel, type IpcWindow } from '../shared/ipc-contract.js';
import type { BannerView, ConsentAnswer, ConsentView, SummaryView } from '../shared/view-models.js';
import { samePage, type ExpectedSender } from './ipc-guard.js';
import type { HandlersOf } from './ipc-routes.js';
import { notificationOptions } from './notification-options.js';
import { bannerBounds, consentBounds, replaceAfterDisplayChange, type DisplayGeometry, type Point, type Rect } from './placement.js';
import { BANNER_HEIGHTS, BANNER_WIDTH, CONSENT_SIZE } from './window-options.js';

export type ToRendererChannel = ChannelsOf<IpcWindow, 'to-renderer'>;

/** The windows of the UI port; the settings window has its own controller (settings-window.ts). */
export type UiWindow = Exclude<IpcWindow, 'settings'>;

/** One open window, as the UI needs it (the wiring adapts a BrowserWindow). */
export interface ShellWindow {
  readonly webContentsId: number;
  send(channel: ToRendererChannel, payload: unknown): void;
  show(): void;
  /** Show without taking focus (the banner must not steal the user's typing). */
  showInactive(): void;
  focus(): void;
  isFocused(): boolean;
  flashFrame(flag: boolean): void;
  getBounds(): Rect;
  setBounds(bounds: Rect): void;
  /** Close now, without beforeunload (destroy). 'closed' listeners still run. */
  destroy(): void;
  isDestroyed(): boolean;
  onClosed(listener: () => void): void;
  /** The user or window manager asks to close it (title bar, Alt+F4); preventDefault keeps it open. destroy() skips this. */
  onCloseRequested(listener: (event: { preventDefault(): void }) => void): void;
  /** It was minimised or hidden (by the user, the window manager or injected input). */
  onHidden(listener: () => void): void;
  onFocus(listener: () => void): void;
  /** The page's renderer process crashed or was killed. */
  onGone(listener: () => void): void;
  /** Load the window's page again (it sends `<window>:ready` once loaded). */
  reload(): void;
  /** The URL the page shows now ('' before the first load commits). */
  url(): string;
  /** Keep the window out of screenshots and screen sharing (where the OS allows). */
  setContentProtection(on: boolean): void;
}

export interface WindowFactory {
  /** Create the window (hidden, hardened, loading its page). */
  open(window: IpcWindow): ShellWindow;
  /** The exact page URL the window loads (for the IPC guard). */
  pageUrl(window: IpcWindow): string;
}

export interface ScreenInfo {
  displays(): DisplayGeometry[];
  cursor(): Point;
}

export interface UiServices {
  windows: WindowFactory;
  screen: ScreenInfo;
  notify(options: ReturnType<typeof notificationOptions>): void;
  writeClipboard(text: string): void;
  openExternal(url: string): void;
  /** Tray refresh. */
  onStatus(status: AgentStatus): void;
  log(event: string, detail: string): void;
  /** Run a task a little later (off the path of whatever is happening now); returns its cancel. */
  later(task: () => void): () => void;
}

export interface UiOptions {
  /**
   * Keep one hidden consent window loaded for the next prompt. Opening the page
   * on arrival costs ~270 ms p50 before the dialog is painted, a loaded one ~50 ms
   * (`npm run bench`). Off: the window opens when the prompt arrives.
   */
  preloadConsent: boolean;
}

/** What the banner buttons do; set once the agent exists. */
export interface SessionActions {
  revokeScope(sessionId: string, scope: Scope): Promise<boolean>;
  endSession(sessionId: string): Promise<boolean>;
}

interface OpenConsent {
  view: ConsentView;
  window: ShellWindow;
  finish(answer: ConsentAnswer): void;
}

/** The preloaded consent window: hidden, holding no prompt; `ready` once its page said so. */
interface IdleConsent {
  window: ShellWindow;
  ready: boolean;
}

export class ElectronUi implements UiPort {
  private consent: OpenConsent | undefined;
  private banner: { window: ShellWindow; view: BannerView; size: BannerSize } | undefined;
  private summary: { window: ShellWindow; view: SummaryView } | undefined;
  private actions: SessionActions | undefined;
  private idle: IdleConsent | undefined;
  private cancelPreload: (() => void) | undefined;
  private quitting = false;

  constructor(
    private readonly s: UiServices,
    private readonly o: UiOptions = { preloadConsent: false },
  ) {}

  /** The app is up: start keeping a consent window ready (if preloading is on). */
  warmUp(): void {
    this.schedulePreload();
  }

  setActions(actions: SessionActions): void {
    this.actions = actions;
  }

  // ---- UiPort ----

  setStatus(status: AgentStatus): void {
    this.s.onStatus(status);
  }

  showConsent(view: ConsentView, signal: AbortSignal): Promise<ConsentAnswer> {
    const dismissed: ConsentAnswer = { kind: 'dismissed', promptId: view.promptId };
    if (signal.aborted) return Promise.resolve(dismissed);
    // The core shows one prompt at a time; a leftover window would be a bug, so it declines.
    this.consent?.finish({ kind: 'dismissed', promptId: this.consent.view.promptId });
    return new Promise<ConsentAnswer>((resolve) => {
      const preloaded = this.takePreloaded();
      const window = preloaded?.window ?? this.s.windows.open('consent');
      let done = false;
      const finish = (answer: ConsentAnswer) => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', onAbort);
        if (this.consent?.window === window) this.consent = undefined;
        // Never reused for a second prompt: the next one gets a fresh page.
        if (!window.isDestroyed()) window.destroy();
        resolve(answer);
        this.schedulePreload();
      };
      const onAbort = () => finish(dismissed);
      signal.addEventListener('abort', onAbort, { once: true });
      // Closing the dialog (title-bar X, Alt+F4, Cmd+W) declines.
      window.onClosed(() => finish(dismissed));
      window.onFocus(() => window.flashFrame(false));
      // A crashed dialog can't be answered: decline rather than leave a blank window up.
      window.onGone(() => finish(dismissed));
      window.setBounds(consentBounds(this.s.screen.displays(), this.s.screen.cursor(), CONSENT_SIZE));
      this.consent = { view, window, finish };
      // A preloaded page already said it is ready: show the prompt now. Otherwise 'consent:ready' does.
      if (preloaded?.ready) this.present(this.consent);
    });
  }

  showBanner(view: BannerView): void {
    if (this.banner && !this.banner.window.isDestroyed()) {
      this.banner.view = view;
      this.post(this.banner.window, 'banner:update', view);
      return;
    }
    // Quitting or the OS ending the session: no new banner that would refuse to close.
    if (this.quitting) return;
    const window = this.s.windows.open('banner');
    const banner = { window, view, size: 'compact' as BannerSize };
    this.banner = banner;
    // The banner stays while the session lives (hideBanner and closeAll forget it before destroying it):
    // closing is refused, minimising or hiding is undone, and a window destroyed anyway comes back,
    // until standDown() (quit, or the OS ending the session: it must not hold up log-off).
    window.onCloseRequested((event) => {
      if (this.banner === banner && !this.quitting) event.preventDefault();
    });
    window.onHidden(() => {
      if (this.banner === banner && !this.quitting && !window.isDestroyed()) window.showInactive();
    });
    window.onClosed(() => {
      if (this.banner !== banner) return;
      this.banner = undefined;
      if (this.quitting) return;
      this.s.log('banner-closed', 'banner closed while the session is live; opening it again');
      this.showBanner(banner.view);
    });
    // The banner must stay while the session lives: reload a crashed page (it asks for the view again).
    window.onGone(() => {
      this.s.log('banner-gone', 'banner renderer gone; reloading');
      if (!window.isDestroyed()) window.reload();
    });
    window.setBounds(this.bannerPlace('compact'));
  }

  hideBanner(sessionId: string): void {
    if (!this.banner || this.banner.view.sessionId !== sessionId) return;
    const { window } = this.banner;
    this.banner = undefined;
    if (!window.isDestroyed()) window.destroy();
  }

  showSummary(view: SummaryView): void {
    if (this.summary && !this.summary.window.isDestroyed()) {
      this.summary.view = view;
      this.post(this.summary.window, 'summary:show', view);
      this.summary.window.focus();
      return;
    }
    const window = this.s.windows.open('summary');
    const summary = { window, view };
    this.summary = summary;
    window.onClosed(() => {
      if (this.summary === summary) this.summary = undefined;
    });
    window.onGone(() => {
      if (!window.isDestroyed()) window.destroy();
    });
  }

  notify(notification: Notification): void {
    this.s.notify(notificationOptions(notification));
  }

  // ---- IPC (already sender-checked and schema-validated) ----

  expectedSender(window: IpcWindow, channel?: IpcChannel): ExpectedSender | undefined {
    // The preloaded window holds no prompt: it may only say it is ready (its answers are rejected).
    const consent = this.consent?.window ?? (channel === 'consent:ready' ? this.idle?.window : undefined);
    const open = window === 'consent' ? consent : window === 'banner' ? this.banner?.window : window === 'summary' ? this.summary?.window : undefined;
    if (!open || open.isDestroyed()) return undefined;
    return { webContentsId: open.webContentsId, url: this.s.windows.pageUrl(window) };
  }

  ipcHandlers(): HandlersOf<UiWindow> {
    return {
      'consent:ready': () => {
        // The guard took it from the prompt's window, or (no prompt up) from the preloaded one.
        if (this.consent) this.present(this.consent);
        else if (this.idle) this.idle.ready = true;
      },
      'consent:answer': (answer) => {
        const c = this.consent;
        if (!c || answer.promptId !== c.view.promptId) {
          this.s.log('stale-answer', `answer for ${answer.promptId} ignored: not the prompt on screen`);
          return;
        }
        c.finish(answer);
      },
      'consent:open-ticket': (url) => {
        const c = this.consent;
        // Only the link of the ticket on screen, never a URL the page made up.
        if (!c || c.view.ticket.url !== url) {
          this.s.log('ticket-link-refused', url.slice(0, 200));
          return;
        }
        this.s.openExternal(url);
      },
      'banner:ready': () => {
        const b = this.banner;
        if (!b) return;
        if (this.post(b.window, 'banner:update', b.view)) b.window.showInactive();
      },
      'banner:action': (action) => {
        const b = this.banner;
        if (!b || action.sessionId !== b.view.sessionId || !this.actions) {
          this.s.log('banner-action-refused', `${action.kind} for ${action.sessionId}: not the session on screen`);
          return;
        }
        if (action.kind === 'end-session') void this.actions.endSession(action.sessionId);
        else void this.actions.revokeScope(action.sessionId, action.scope);
      },
      'banner:resize': (size) => {
        const b = this.banner;
        if (!b) return;
        b.size = size;
        b.window.setBounds(this.bannerPlace(size, b.window.getBounds()));
      },
      'summary:ready': () => {
        const s = this.summary;
        if (!s) return;
        if (this.post(s.window, 'summary:show', s.view)) {
          s.window.show();
          s.window.focus();
        }
      },
      'summary:copy': (text) => {
        if (this.summary) this.s.writeClipboard(text);
      },
      'summary:close': () => {
        const s = this.summary;
        this.summary = undefined;
        if (s && !s.window.isDestroyed()) s.window.destroy();
      },
    };
  }

  // ---- shell events ----

  /** Displays added, removed or resized: keep the dialog and banner where the user can see them. */
  displaysChanged(): void {
    const displays = this.s.screen.displays();
    if (displays.length === 0) return;
    const cursor = this.s.screen.cursor();
    const c = this.consent?.window;
    if (c && !c.isDestroyed()) c.setBounds(replaceAfterDisplayChange('consent', c.getBounds(), displays, cursor, CONSENT_SIZE));
    const b = this.banner;
    if (b && !b.window.isDestroyed()) b.window.setBounds(replaceAfterDisplayChange('banner', b.window.getBounds(), displays, cursor, { width: BANNER_WIDTH, height: BANNER_HEIGHTS[b.size] }));
  }

  /** A second launch (or the tray icon) asks for attention: the prompt first, then the summary. */
  bringToFront(): void {
    const c = this.consent?.window;
    if (c && !c.isDestroyed()) {
      c.show();
      c.focus();
      if (!c.isFocused()) c.flashFrame(true);
      return;
    }
    const s = this.summary?.window;
    if (s && !s.isDestroyed()) s.focus();
  }

  /**
   * The app is about to quit (or the OS is ending the session): the banner guard stands down, so any
   * window may close, minimise or hide, and nothing is preloaded or reopened. closeAll() follows.
   */
  standDown(): void {
    this.quitting = true;
    this.cancelPreload?.();
    this.cancelPreload = undefined;
  }

  /** App quitting: decline the prompt on screen, close everything, preload nothing more. */
  closeAll(): void {
    this.standDown();
    this.consent?.finish({ kind: 'dismissed', promptId: this.consent.view.promptId });
    const windows = [this.idle?.window, this.banner?.window, this.summary?.window];
    // Forget them first: a banner destroyed while still current would reopen itself.
    this.idle = undefined;
    this.banner = undefined;
    this.summary = undefined;
    for (const w of windows) if (w && !w.isDestroyed()) w.destroy();
  }

  /** Send the prompt to its page, then (only then) show it: the window is never visible without its view. */
  private present(c: OpenConsent): void {
    // Set again just before showing: a preloaded window may have waited hidden for hours.
    c.window.setContentProtection(true);
    if (!this.post(c.window, 'consent:show', c.view)) {
      c.finish({ kind: 'dismissed', promptId: c.view.promptId });
      return;
    }
    c.window.show();
    c.window.focus();
    // Focus-stealing prevention (Windows, some Linux WMs): ask for attention instead.
    if (!c.window.isFocused()) c.window.flashFrame(true);
  }

  // ---- the preloaded consent window ----

  /** Preload a consent window soon; never while a prompt is up (its end calls this again). */
  private schedulePreload(): void {
    if (!this.o.preloadConsent || this.quitting || this.cancelPreload) return;
    this.cancelPreload = this.s.later(() => {
      this.cancelPreload = undefined;
      if (this.quitting || this.consent || this.idle) return;
      this.preload();
    });
  }

  private preload(): void {
    const window = this.s.windows.open('consent');
    const idle: IdleConsent = { window, ready: false };
    this.idle = idle;
    // A crashed or closed idle window is dropped and replaced; once a prompt took it, these do nothing.
    const discard = (why: string) => {
      if (this.idle !== idle) return;
      this.idle = undefined;
      this.s.log('consent-preload-discarded', why);
      if (!window.isDestroyed()) window.destroy();
      this.schedulePreload();
    };
    window.onGone(() => discard('renderer gone'));
    window.onClosed(() => discard('window closed'));
  }

  /** Hand the preloaded window to a prompt if it is still our page; a stale one is destroyed. */
  private takePreloaded(): IdleConsent | undefined {
    const idle = this.idle;
    this.idle = undefined;
    if (!idle || idle.window.isDestroyed()) return undefined;
    // Still loading (no URL committed yet) is fine: the guard checks the URL when 'consent:ready' comes.
    const url = idle.window.url();
    if (samePage(url, this.s.windows.pageUrl('consent')) || (!idle.ready && url === '')) return idle;
    this.s.log('consent-preload-discarded', `left its page: ${JSON.stringify(url.slice(0, 200))}`);
    idle.window.destroy();
    return undefined;
  }

  private bannerPlace(size: BannerSize, current?: Rect): Rect {
    const sz = { width: BANNER_WIDTH, height: BANNER_HEIGHTS[size] };
    const displays = this.s.screen.displays();
    const cursor = this.s.screen.cursor();
    return current ? replaceAfterDisplayChange('banner', current, displays, cursor, sz) : bannerBounds(displays, cursor, sz);
  }

  /** Send a view only if it satisfies the contract (the page checks again). */
  private post(window: ShellWindow, channel: ToRendererChannel, payload: unknown): boolean {
    const parsed = parseIpcPayload(channel, payload);
    if (!parsed.ok) {
      this.s.log('view-rejected', parsed.detail);
      return false;
    }
    if (window.isDestroyed()) return false;
    window.send(channel, parsed.payload);
    return true;
  }
}
