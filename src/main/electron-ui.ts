// The Electron UI port: composes one controller per window (consent, banner,
// summary; the settings window has its own, settings-window.ts), plus
// notifications and the tray status, behind small interfaces (window factory,
// screen, notifier, clipboard, opener) that tests satisfy with fakes. Page
// messages arrive through `ipcHandlers()` only after the IPC guard accepted
// them, and `expectedSender()` tells the guard which window may send what.
import type { AgentStatus, Notification, UiPort } from '../core/ui-port.js';
import type { IpcChannel, IpcWindow } from '../shared/ipc-contract.js';
import type { BannerView, ConsentAnswer, ConsentView, SummaryView } from '../shared/view-models.js';
import { BannerWindow, type SessionActions } from './banner-window.js';
import { ConsentWindow } from './consent-window.js';
import type { ExpectedSender } from './ipc-guard.js';
import type { HandlersOf } from './ipc-routes.js';
import { notificationOptions } from './notification-options.js';
import type { ScreenInfo, WindowFactory } from './shell-window.js';
import { SummaryWindow } from './summary-window.js';

/** The windows of the UI port; the settings window has its own controller (settings-window.ts). */
export type UiWindow = Exclude<IpcWindow, 'settings'>;

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
  /** Keep one hidden consent window loaded for the next prompt (consent-preload.ts). Off: it opens on arrival. */
  preloadConsent: boolean;
}

export class ElectronUi implements UiPort {
  private readonly consent: ConsentWindow;
  private readonly banner: BannerWindow;
  private readonly summary: SummaryWindow;

  constructor(
    private readonly services: UiServices,
    options: UiOptions = { preloadConsent: false },
  ) {
    this.consent = new ConsentWindow(services, { preload: options.preloadConsent });
    this.banner = new BannerWindow(services);
    this.summary = new SummaryWindow(services);
  }

  /** The app is up: start keeping a consent window ready (if preloading is on). */
  warmUp(): void {
    this.consent.warmUp();
  }

  setActions(actions: SessionActions): void {
    this.banner.setActions(actions);
    this.summary.setActions(actions);
  }

  // ---- UiPort ----

  setStatus(status: AgentStatus): void {
    this.services.onStatus(status);
  }

  showConsent(view: ConsentView, signal: AbortSignal): Promise<ConsentAnswer> {
    return this.consent.ask(view, signal);
  }

  consentQueued(promptId: string, queued: number): void {
    this.consent.queued(promptId, queued);
  }

  showBanner(view: BannerView): void {
    this.banner.show(view);
  }

  hideBanner(sessionId: string): void {
    this.banner.hide(sessionId);
  }

  showSummary(view: SummaryView): void {
    this.summary.show(view);
  }

  notify(notification: Notification): void {
    this.services.notify(notificationOptions(notification));
  }

  // ---- IPC (already sender-checked and schema-validated) ----

  expectedSender(window: IpcWindow, channel?: IpcChannel): ExpectedSender | undefined {
    if (window === 'consent') return this.consent.expectedSender(channel);
    if (window === 'banner') return this.banner.expectedSender();
    if (window === 'summary') return this.summary.expectedSender();
    return undefined;
  }

  ipcHandlers(): HandlersOf<UiWindow> {
    return { ...this.consent.ipcHandlers(), ...this.banner.ipcHandlers(), ...this.summary.ipcHandlers() };
  }

  // ---- shell events ----

  /** Displays added, removed or resized: keep the dialog and banner where the user can see them. */
  displaysChanged(): void {
    if (this.services.screen.displays().length === 0) return;
    this.consent.displaysChanged();
    this.banner.displaysChanged();
  }

  /** A second launch (or the tray icon) asks for attention: the prompt first, then the summary. */
  bringToFront(): void {
    if (!this.consent.bringToFront()) this.summary.bringToFront();
  }

  /**
   * The app is about to quit (or the OS is ending the session): the banner guard stands down, so any
   * window may close, minimise or hide, and nothing is preloaded or reopened. closeAll() follows.
   */
  standDown(): void {
    this.consent.standDown();
    this.banner.standDown();
  }

  /** App quitting: decline the prompt on screen, close everything, preload nothing more. */
  closeAll(): void {
    this.standDown();
    this.consent.close();
    this.banner.close();
    this.summary.close();
  }
}
