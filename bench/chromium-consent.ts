// The consent window for the paint benchmark: the built consent page in
// Chromium, either opened when the prompt arrives (cold, as a shell that
// creates the window on demand) or loaded beforehand and waiting (warm, as a
// shell that keeps one hidden window ready). Resolves when the view has been
// painted: two animation frames after the page took it.
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import type { ConsentView } from '../src/shared/view-models.js';

const CONSENT_URL = new URL('../renderer/consent/index.html', import.meta.url).href;
const CHROMIUM = process.env.PORCHLIGHT_CHROMIUM ?? '/usr/bin/chromium';

interface ConsentPage {
  page: Page;
  /** Resolves once the page has called ready(). */
  ready: Promise<void>;
  painted: Promise<void>;
}

async function openConsentPage(context: BrowserContext): Promise<ConsentPage> {
  const page = await context.newPage();
  let ready!: () => void;
  let painted!: () => void;
  const p: ConsentPage = { page, ready: new Promise((r) => (ready = r)), painted: new Promise((r) => (painted = r)) };
  await page.exposeFunction('__benchSend', (channel: string) => (channel === 'consent:ready' ? ready() : channel === 'bench:painted' ? painted() : undefined));
  await page.addInitScript(() => {
    const g = globalThis as unknown as { __benchSend(c: string): void; __benchShow?: (v: unknown) => void; requestAnimationFrame(f: () => void): void };
    let show: ((v: unknown) => void) | undefined;
    g.__benchShow = (v) => {
      show?.(v);
      g.requestAnimationFrame(() => g.requestAnimationFrame(() => g.__benchSend('bench:painted')));
    };
    Object.defineProperty(globalThis, 'porchlight', {
      value: Object.freeze({
        ready: () => g.__benchSend('consent:ready'),
        onShow: (l: (v: unknown) => void) => ((show = l), () => (show = undefined)),
        answer: () => undefined,
        openTicket: () => undefined,
      }),
    });
  });
  await page.goto(CONSENT_URL);
  return p;
}

export interface ChromiumConsent {
  /** Shows the view (in a warm page if one is waiting, else a new one); resolves once painted with the page to close later. */
  paint(view: ConsentView): Promise<Page>;
  /** Load a page in advance for the next paint. */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

export async function launchChromiumConsent(): Promise<ChromiumConsent> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const context = await browser.newContext();
  let warm: ConsentPage | undefined;
  return {
    async paint(view) {
      const p = warm ?? (await openConsentPage(context));
      warm = undefined;
      await p.ready;
      await p.page.evaluate((v) => (globalThis as unknown as { __benchShow(v: unknown): void }).__benchShow(v), view);
      await p.painted;
      return p.page;
    },
    async warmUp() {
      warm = await openConsentPage(context);
      await warm.ready;
    },
    async close() {
      await browser.close();
    },
  };
}
