// The session banner: on screen, without taking focus, for as long as a
// session is live. Closing is refused, minimising or hiding is undone, a
// crashed page is reloaded and a window destroyed anyway comes back, until
// standDown() (quit, or the OS ending the session: it must not hold up log-off).
// It fits the height its page reports (banner-size.ts), at any zoom level.
import type { BannerSize } from '../shared/ipc-contract.js';
import type { BannerView } from '../shared/view-models.js';
import { dispatchBannerAction, type SessionActions } from './banner-actions.js';
export type { SessionActions } from './banner-actions.js';
import type { ExpectedSender } from './ipc-guard.js';
import { bannerBounds as fitBannerToContent } from './banner-size.js';
import type { HandlersOf } from './ipc-routes.js';
import { PageReadyQueue } from './page-ready-queue.js';
import { bannerBounds, displayAt, replaceAfterDisplayChange, type Rect } from './placement.js';
import { destroyWindow, senderOf, type ScreenInfo, type ShellWindow, type WindowFactory } from './shell-window.js';
import { BANNER_HEIGHTS, BANNER_WIDTH } from './window-options.js';
import { attachZoom } from './zoom.js';

export interface BannerWindowServices {
  windows: WindowFactory;
  screen: ScreenInfo;
  log(event: string, detail: string): void;
  /** Which modifier zooms (Cmd on macOS); defaults to this process's platform. */
  platform?: NodeJS.Platform;
}

interface OpenBanner {
  window: ShellWindow;
  view: BannerView;
  size: BannerSize;
  /** What the page last measured for this size (CSS px); unset until it reports. */
  contentHeight?: number;
}

export class BannerWindow {
  private banner: OpenBanner | undefined;
  private actions: SessionActions | undefined;
  private standingDown = false;
  private readonly pages: PageReadyQueue;

  constructor(private readonly s: BannerWindowServices) {
    this.pages = new PageReadyQueue(s.log);
  }

  setActions(actions: SessionActions): void {
    this.actions = actions;
  }

  /** Show the session's banner, or refresh the one on screen in place. */
  show(view: BannerView): void {
    if (this.banner && !this.banner.window.isDestroyed()) {
      this.banner.view = view;
      this.pages.send(this.banner.window, 'banner:update', view);
      return;
    }
    // Quitting or the OS ending the session: no new banner that would refuse to close.
    if (this.standingDown) return;
    this.banner = this.openWindow(view);
  }

  /** The session ended: the banner goes for good (forgotten first, so it does not reopen). */
  hide(sessionId: string): void {
    if (!this.banner || this.banner.view.sessionId !== sessionId) return;
    const { window } = this.banner;
    this.banner = undefined;
    destroyWindow(window);
  }

  expectedSender(): ExpectedSender | undefined {
    return senderOf(this.banner?.window, this.s.windows.pageUrl('banner'));
  }

  ipcHandlers(): HandlersOf<'banner'> {
    return {
      'banner:ready': () => this.pages.ready(this.banner?.window),
      'banner:action': (action) => {
        const banner = this.banner;
        if (!banner || action.sessionId !== banner.view.sessionId || !this.actions) {
          this.s.log('banner-action-refused', `${action.kind} for ${action.sessionId}: not the session on screen`);
          return;
        }
        void dispatchBannerAction(this.actions, action);
      },
      'banner:resize': (size) => {
        const banner = this.banner;
        if (!banner) return;
        banner.size = size;
        // The height reported for the other size no longer applies; the page reports the new one next.
        delete banner.contentHeight;
        banner.window.setBounds(this.place(size, banner.window.getBounds()));
      },
      'banner:content-height': (height) => {
        const banner = this.banner;
        if (!banner || banner.window.isDestroyed()) return;
        banner.contentHeight = height;
        this.fitToContent(banner);
      },
    };
  }

  /** Displays changed: keep the banner on a display the user can see. */
  displaysChanged(): void {
    const banner = this.banner;
    if (!banner || banner.window.isDestroyed()) return;
    banner.window.setBounds(this.place(banner.size, banner.window.getBounds()));
    this.fitToContent(banner);
  }

  /** Quitting or log-off: the guard stands down, so the banner may close, minimise or hide; none reopens. */
  standDown(): void {
    this.standingDown = true;
  }

  close(): void {
    this.standDown();
    const banner = this.banner;
    // Forget it first: a banner destroyed while still current would reopen itself.
    this.banner = undefined;
    destroyWindow(banner?.window);
  }

  private openWindow(view: BannerView): OpenBanner {
    const window = this.s.windows.open('banner');
    const banner: OpenBanner = { window, view, size: 'compact' };
    const current = () => this.banner === banner && !this.standingDown;
    window.onCloseRequested((event) => {
      if (current()) event.preventDefault();
    });
    window.onHidden(() => {
      if (current() && !window.isDestroyed()) window.showInactive();
    });
    window.onClosed(() => {
      if (this.banner !== banner) return;
      this.banner = undefined;
      if (this.standingDown) return;
      this.s.log('banner-closed', 'banner closed while the session is live; opening it again');
      this.show(banner.view);
    });
    // The banner must stay while the session lives: reload a crashed page, which gets the view again.
    window.onGone(() => {
      this.s.log('banner-gone', 'banner renderer gone; reloading');
      if (window.isDestroyed()) return;
      this.pages.reloading(window);
      window.reload();
      this.sendFirstView(window, banner.view);
    });
    // A zoom level changes how tall the reported CSS height is on screen.
    attachZoom(window.webContents, this.s.platform ?? process.platform, () => {
      if (this.banner === banner) this.fitToContent(banner);
    });
    window.setBounds(this.place('compact'));
    this.sendFirstView(window, view);
    return banner;
  }

  /** The view goes out once the page is ready, and only then is the banner shown (without focus). */
  private sendFirstView(window: ShellWindow, view: BannerView): void {
    if (this.pages.send(window, 'banner:update', view)) this.pages.whenReady(window, () => window.showInactive());
  }

  /** The window as tall as the page needs (within the work area share banner-size.ts allows), same top-left. */
  private fitToContent(banner: OpenBanner): void {
    if (banner.contentHeight === undefined || banner.window.isDestroyed()) return;
    const displays = this.s.screen.displays();
    if (displays.length === 0) return;
    const current = banner.window.getBounds();
    const centre = { x: current.x + Math.floor(current.width / 2), y: current.y + Math.floor(current.height / 2) };
    const { workArea } = displayAt(displays, centre);
    const zoom = banner.window.webContents.getZoomFactor();
    banner.window.setBounds(fitBannerToContent(current, banner.size, banner.contentHeight, zoom, workArea));
  }

  private place(size: BannerSize, current?: Rect): Rect {
    const bannerSize = { width: BANNER_WIDTH, height: BANNER_HEIGHTS[size] };
    const displays = this.s.screen.displays();
    const cursor = this.s.screen.cursor();
    if (!current) return bannerBounds(displays, cursor, bannerSize);
    return replaceAfterDisplayChange('banner', current, displays, cursor, bannerSize);
  }
}
