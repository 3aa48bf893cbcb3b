// The consent-paint baseline: an empty page (same bridge, one line of text) in the same Chromium through
// the same harness, opened on arrival (cold) and loaded in advance (warm). What is left above it in the
// consent rows is the relay, the agent and our page.
import { launchChromiumConsent } from './chromium-consent.js';
import { consentView } from '../test/renderer/sample-views.js';

export async function emptyPagePaints(count: number): Promise<{ cold: number[]; warm: number[] }> {
  const browser = await launchChromiumConsent('empty');
  const cold: number[] = [];
  const warm: number[] = [];
  try {
    for (let i = 0; i < count + 5; i++) {
      for (const isWarm of [false, true]) {
        if (isWarm) await browser.warmUp();
        const t0 = performance.now();
        const { page, stages } = await browser.paint(consentView({ promptId: `prompt-${i}` }));
        const painted = stages.heard - performance.timeOrigin;
        if (i >= 5) (isWarm ? warm : cold).push(painted - t0);
        await page.close();
      }
    }
  } finally {
    await browser.close();
  }
  return { cold, warm };
}
