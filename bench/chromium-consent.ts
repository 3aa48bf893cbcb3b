// The consent window for the paint benchmark: the built consent page in
// Chromium, either opened when the prompt arrives (cold, as a shell that
// creates the window on demand) or loaded beforehand and waiting (warm, as a
// shell that keeps one hidden window ready). Resolves when the view has been
// painted: two animation frames after the page took it. The same harness
// shows an empty page (the baseline: what this Chromium and this bridge cost
// with none of our page), and every paint reports its stages on the epoch
// clock (performance.timeOrigin + now, the same in Node and the page).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import type { ConsentView } from '../src/shared/view-models.js';
import { within } from './within.js';

const CONSENT_URL = new URL('../renderer/consent/index.html', import.meta.url).href;
const CHROMIUM = process.env.PORCHLIGHT_CHROMIUM ?? '/usr/bin/chromium';
/** A page that never calls ready() would hang the bench: fail with what was seen instead. */
const READY_TIMEOUT_MS = 30_000;

/** Epoch milliseconds with sub-millisecond precision; comparable across Node and Chromium. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/** Where one paint's time went, epoch ms. `opened`/`loaded` only for a page opened on arrival. */
export interface PaintStages {
  opened?: number;
  loaded?: number;
  /** The page received the view (the bridge call arrived). */
  received: number;
  /** show() returned: the DOM is built. */
  rendered: number;
  /** First animation frame after it (style and layout of the new DOM come right after this). */
  frame: number;
  /** Second animation frame: the first frame with the view has been produced. */
  painted: number;
  /** Back in Node: the harness heard of the paint. */
  heard: number;
}

interface PagePaint {
  received: number;
  rendered: number;
  frame: number;
  painted: number;
}

interface ConsentPage {
  page: Page;
  opened: number;
  /** Resolves once the page has called ready(). */
  ready: Promise<number>;
  painted: Promise<PagePaint>;
}

async function openPage(context: BrowserContext, url: string): Promise<ConsentPage> {
  const opened = epochNow();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  let ready!: (at: number) => void;
  let painted!: (p: PagePaint) => void;
  const readyP = new Promise<number>((r) => (ready = r));
  const p: ConsentPage = { page, opened, ready: readyP, painted: new Promise((r) => (painted = r)) };
  p.ready = within(readyP, READY_TIMEOUT_MS, () => `${url} did not call ready() (page errors: ${errors.join('; ') || 'none'})`);
  await page.exposeFunction('__benchSend', (channel: string, data?: PagePaint) => (channel === 'consent:ready' ? ready(epochNow()) : channel === 'bench:painted' ? painted(data!) : undefined));
  await page.addInitScript(() => {
    type Raf = (f: () => void) => void;
    const g = globalThis as unknown as { __benchSend(c: string, d?: unknown): void; __benchShow?: (v: unknown) => void; requestAnimationFrame: Raf };
    const now = () => performance.timeOrigin + performance.now();
    let show: ((v: unknown) => void) | undefined;
    g.__benchShow = (v) => {
      const received = now();
      show?.(v);
      const rendered = now();
      g.requestAnimationFrame(() => {
        const frame = now();
        g.requestAnimationFrame(() => g.__benchSend('bench:painted', { received, rendered, frame, painted: now() }));
      });
    };
    Object.defineProperty(globalThis, 'porchlight', {
      value: Object.freeze({
        ready: () => g.__benchSend('consent:ready'),
        onShow: (l: (v: unknown) => void) => ((show = l), () => (show = undefined)),
        onQueued: () => () => undefined,
        answer: () => undefined,
        openTicket: () => undefined,
      }),
    });
  });
  await page.goto(url);
  return p;
}

/** The baseline page: the same bridge, no stylesheet, one line of text set from the view. */
function emptyPageUrl(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-empty-page-'));
  const file = join(dir, 'index.html');
  const script = "porchlight.onShow((v) => { document.body.textContent = String(v.ticket.id); }); porchlight.ready();";
  writeFileSync(file, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>empty</title></head><body><script>${script}</script></body></html>`);
  return pathToFileURL(file).href;
}

export interface ChromiumConsent {
  /** Shows the view (in a warm page if one is waiting, else a new one); resolves once painted, with the page to close later. */
  paint(view: ConsentView): Promise<{ page: Page; stages: PaintStages }>;
  /** Load a page in advance for the next paint. */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

/** `page`: the consent page (default) or the empty baseline page. */
export async function launchChromiumConsent(page: 'consent' | 'empty' = 'consent'): Promise<ChromiumConsent> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const context = await browser.newContext();
  const url = page === 'consent' ? CONSENT_URL : emptyPageUrl();
  let warm: ConsentPage | undefined;
  return {
    async paint(view) {
      const cold = warm === undefined;
      const p = warm ?? (await openPage(context, url));
      warm = undefined;
      const loaded = await p.ready;
      await p.page.evaluate((v) => (globalThis as unknown as { __benchShow(v: unknown): void }).__benchShow(v), view);
      const shown = await within(p.painted, READY_TIMEOUT_MS, () => `${url} did not paint`);
      const stages: PaintStages = { ...shown, heard: epochNow(), ...(cold ? { opened: p.opened, loaded } : {}) };
      return { page: p.page, stages };
    },
    async warmUp() {
      warm = await openPage(context, url);
      await warm.ready;
    },
    async close() {
      await browser.close();
    },
  };
}
