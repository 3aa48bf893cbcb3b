// Send when the page is ready: a window's page can't receive messages until it
// has loaded and said `<window>:ready`, so messages to it wait here, per
// webContents, and go out in order once it did (the idea of electron/fiddle's
// IpcMainManager). Every payload is checked against the IPC contract before it
// is queued or sent; the page checks again.
import { parseIpcPayload } from '../shared/ipc-contract.js';
import type { ShellWindow, ToRendererChannel } from './shell-window.js';

/** The part of a window the queue uses. */
export type PageTarget = Pick<ShellWindow, 'webContentsId' | 'send' | 'isDestroyed' | 'onClosed'>;

/** A page that never says ready must not hold an unbounded backlog: the oldest goes first. */
export const MAX_QUEUED_PER_PAGE = 32;

interface PageState {
  ready: boolean;
  messages: { channel: ToRendererChannel; payload: unknown }[];
  /** Run once the page is ready, after the queued messages went out (e.g. show the window). */
  onReady: (() => void)[];
}

export class PageReadyQueue {
  private readonly pages = new Map<number, PageState>();

  constructor(
    private readonly log: (event: string, detail: string) => void,
    private readonly maxQueued = MAX_QUEUED_PER_PAGE,
  ) {}

  /**
   * Send to the page now if it said ready, otherwise queue until it does. False when the payload breaks
   * the contract (logged `view-rejected`) or the window is gone; nothing is sent then.
   */
  send(target: PageTarget, channel: ToRendererChannel, payload: unknown): boolean {
    const parsed = parseIpcPayload(channel, payload);
    if (!parsed.ok) {
      this.log('view-rejected', parsed.detail);
      return false;
    }
    const page = this.stateOf(target);
    if (!page) return false;
    if (page.ready) {
      target.send(channel, parsed.payload);
      return true;
    }
    page.messages.push({ channel, payload: parsed.payload });
    if (page.messages.length > this.maxQueued) {
      const dropped = page.messages.shift()!;
      this.log('page-queue-full', `webContents ${target.webContentsId}: dropped ${dropped.channel} (page not ready)`);
    }
    return true;
  }

  /** Answer a message the page just sent: it is listening, whether or not it said ready. False as for send(). */
  reply(target: PageTarget, channel: ToRendererChannel, payload: unknown): boolean {
    const parsed = parseIpcPayload(channel, payload);
    if (!parsed.ok) {
      this.log('view-rejected', parsed.detail);
      return false;
    }
    if (target.isDestroyed()) return false;
    target.send(channel, parsed.payload);
    return true;
  }

  /** Run `task` once the page is ready (now, if it already is). */
  whenReady(target: PageTarget, task: () => void): void {
    const page = this.stateOf(target);
    if (!page) return;
    if (page.ready) {
      task();
      return;
    }
    page.onReady.push(task);
    if (page.onReady.length > this.maxQueued) {
      page.onReady.shift();
      this.log('page-queue-full', `webContents ${target.webContentsId}: dropped a task waiting for the page`);
    }
  }

  /** The page said ready: flush its messages in order, then run what waited for it. */
  ready(target: PageTarget | undefined): void {
    if (!target) return;
    const page = this.stateOf(target);
    if (!page) return;
    page.ready = true;
    const { messages, onReady } = page;
    page.messages = [];
    page.onReady = [];
    for (const { channel, payload } of messages) target.send(channel, payload);
    for (const task of onReady) {
      // An earlier task may have destroyed the window: the rest is dropped.
      if (target.isDestroyed()) break;
      task();
    }
  }

  /** The page is loading again (reload after a crash): what was queued for the old page is dropped. */
  reloading(target: PageTarget): void {
    const page = this.stateOf(target);
    if (!page) return;
    page.ready = false;
    page.messages = [];
    page.onReady = [];
  }

  isReady(target: PageTarget): boolean {
    return this.pages.get(target.webContentsId)?.ready === true;
  }

  /** How many messages wait for this page (for tests and diagnostics). */
  queued(target: PageTarget): number {
    return this.pages.get(target.webContentsId)?.messages.length ?? 0;
  }

  /** Pages tracked now; each leaves when its window closes. */
  get size(): number {
    return this.pages.size;
  }

  private stateOf(target: PageTarget): PageState | undefined {
    if (target.isDestroyed()) {
      this.forget(target);
      return undefined;
    }
    let page = this.pages.get(target.webContentsId);
    if (!page) {
      page = { ready: false, messages: [], onReady: [] };
      this.pages.set(target.webContentsId, page);
      target.onClosed(() => this.forget(target));
    }
    return page;
  }

  private forget(target: PageTarget): void {
    this.pages.delete(target.webContentsId);
  }
}
