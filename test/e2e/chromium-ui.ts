// The agent's UiPort for end-to-end tests: what the Electron shell does, with
// Chromium pages in place of BrowserWindows. Each window loads the built
// renderer page; its `window.porchlight` is the real createBridge (page-preload.ts)
// and every message it sends is checked here with parseIpcMessage, sender
// included, exactly as main checks IPC. Only the window layer is swapped.
import type { BrowserContext, Page } from '@playwright/test';
import type { AgentStatus, Notification, UiPort } from '../../src/core/ui-port.js';
import { parseIpcMessage, parseIpcPayload, type IpcChannel, type IpcErrorCode, type IpcWindow } from '../../src/shared/ipc-contract.js';
import type { BannerAction, BannerView, ConsentAnswer, ConsentView, ResolutionAnswer, SummaryView } from '../../src/shared/view-models.js';
import { preloadScript } from './bridge-script.js';
import { within } from '../support/bounded-wait.js';

type Handler = (channel: IpcChannel, payload: unknown, page: Page) => void;

/** A page opens in a real Chromium, which on a loaded machine takes longer than an in-process wait. */
const PAGE_OPEN_MS = 8000;

export class ChromiumUi implements UiPort {
  readonly statuses: AgentStatus[] = [];
  readonly notifications: Notification[] = [];
  /** IPC messages refused by the contract (expected: none). */
  readonly refused: { window: IpcWindow; code: IpcErrorCode | 'wrong-sender'; detail: string }[] = [];
  readonly pageErrors: string[] = [];
  readonly openedTickets: string[] = [];
  /** Every consent answer main accepted from a page, in order. */
  readonly answers: ConsentAnswer[] = [];
  /** Every page opened per window, in order. */
  readonly opened: Record<IpcWindow, Page[]> = { consent: [], banner: [], summary: [], settings: [] };
  /** The shell wires banner actions to the agent (revoke, end). */
  onBannerAction: (action: BannerAction) => void = () => undefined;
  /** What the summary page's "Is your problem solved?" answer does (main's summary window sends it to the agent). */
  onResolution: (answer: ResolutionAnswer) => void = () => undefined;
  private waiters: (() => void)[] = [];
  private readonly opening = new Set<Promise<Page>>();
  private banner: { page: Promise<Page>; ready: boolean; view: BannerView; sessionId: string } | undefined;

  constructor(
    private readonly context: BrowserContext,
    private readonly baseUrl: string,
  ) {}

  setStatus(status: AgentStatus): void {
    this.statuses.push(status);
  }

  notify(n: Notification): void {
    this.notifications.push(n);
  }

  showConsent(view: ConsentView, signal: AbortSignal): Promise<ConsentAnswer> {
    return new Promise((resolve) => {
      let done = false;
      let page: Page | undefined;
      const finish = (answer: ConsentAnswer) => {
        if (done) return;
        done = true;
        resolve(answer);
        void page?.close().catch(() => undefined);
      };
      const dismissed = () => finish({ kind: 'dismissed', promptId: view.promptId });
      signal.addEventListener('abort', dismissed, { once: true });
      void this.open('consent', (channel, payload, p) => {
        if (channel === 'consent:ready') void this.deliver(p, 'consent:show', view);
        else if (channel === 'consent:answer') {
          this.answers.push(payload as ConsentAnswer);
          finish(payload as ConsentAnswer);
        }
        else if (channel === 'consent:open-ticket') this.openedTickets.push(payload as string);
      }).then((p) => {
        page = p;
        p.on('close', dismissed);
        if (done) void p.close().catch(() => undefined);
      }, dismissed);
    });
  }

  showBanner(view: BannerView): void {
    const b = this.banner;
    if (b && b.sessionId === view.sessionId) {
      b.view = view;
      if (b.ready) void b.page.then((p) => this.deliver(p, 'banner:update', view)).catch(() => undefined);
      return;
    }
    const state = { ready: false, view, sessionId: view.sessionId, page: undefined as unknown as Promise<Page> };
    state.page = this.open('banner', (channel, payload, p) => {
      if (channel === 'banner:ready') {
        state.ready = true;
        void this.deliver(p, 'banner:update', state.view);
      } else if (channel === 'banner:action') this.onBannerAction(payload as BannerAction);
    });
    state.page.catch(() => undefined); // a window closed while opening (end of test) is not an error
    this.banner = state;
  }

  hideBanner(sessionId: string): void {
    const b = this.banner;
    if (!b || b.sessionId !== sessionId) return;
    this.banner = undefined;
    void b.page.then((p) => p.close()).catch(() => undefined);
  }

  showSummary(view: SummaryView): void {
    void this.open('summary', (channel, payload, p) => {
      if (channel === 'summary:ready') void this.deliver(p, 'summary:show', view);
      else if (channel === 'summary:resolution' && (payload as ResolutionAnswer).sessionId === view.sessionId) this.onResolution(payload as ResolutionAnswer);
      else if (channel === 'summary:close') void p.close().catch(() => undefined);
    }).catch(() => undefined);
  }

  /** The nth page (0-based) ever opened for a window, once it has loaded. */
  async page(window: IpcWindow, nth = 0): Promise<Page> {
    const counts = () => `opened so far: ${JSON.stringify(Object.fromEntries(Object.entries(this.opened).map(([k, v]) => [k, v.length])))}`;
    const what = `${window} page #${nth + 1} to open`;
    while (this.opened[window].length <= nth) await within(new Promise<void>((r) => this.waiters.push(r)), what, counts, { ms: PAGE_OPEN_MS });
    return this.opened[window][nth]!;
  }

  /** The most recently opened page of a window, waiting for a first one. */
  async latest(window: IpcWindow): Promise<Page> {
    await this.page(window, 0);
    return this.opened[window].at(-1)!;
  }

  /** Resolves once no window is half-open (call before the browser context closes). */
  async settled(): Promise<void> {
    while (this.opening.size > 0) await Promise.allSettled([...this.opening]);
  }

  private open(window: IpcWindow, handle: Handler): Promise<Page> {
    const opening = this.openWindow(window, handle);
    this.opening.add(opening);
    void opening.finally(() => this.opening.delete(opening)).catch(() => undefined);
    return opening;
  }

  private async openWindow(window: IpcWindow, handle: Handler): Promise<Page> {
    const page = await this.context.newPage();
    page.on('pageerror', (e) => this.pageErrors.push(`${window}: ${e.message}`));
    // The preload's ipcRenderer.send: main checks the sender, then the contract.
    await page.exposeBinding('__porchlightSend', (source, channel: unknown, payload: unknown) => {
      if (source.page !== page) return void this.refused.push({ window, code: 'wrong-sender', detail: String(channel) });
      const parsed = parseIpcMessage(channel, payload, { window, direction: 'to-main' });
      if (!parsed.ok) return void this.refused.push({ window, code: parsed.code, detail: parsed.detail });
      handle(parsed.channel, parsed.payload, page);
    });
    await page.addInitScript({ content: `globalThis.__porchlightWindow = ${JSON.stringify(window)};\n${preloadScript()}` });
    await page.goto(`${this.baseUrl}/${window}/index.html`, { waitUntil: 'load' });
    this.opened[window].push(page);
    for (const w of this.waiters.splice(0)) w();
    return page;
  }

  /** webContents.send: only payloads that satisfy the contract leave main. */
  private async deliver(page: Page, channel: 'consent:show' | 'banner:update' | 'summary:show', payload: unknown): Promise<void> {
    const parsed = parseIpcPayload(channel, payload);
    if (!parsed.ok) return void this.refused.push({ window: channel.split(':')[0] as IpcWindow, code: 'bad-payload', detail: parsed.detail });
    await page
      .evaluate(([c, p]) => (globalThis as unknown as { __porchlightDeliver(c: string, p: unknown): void }).__porchlightDeliver(c, p), [channel, parsed.payload] as const)
      .catch(() => undefined);
  }
}
