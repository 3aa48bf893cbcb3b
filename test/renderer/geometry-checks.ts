// In-page geometry (DOM types): compiled with the Playwright specs, not the Node program (tsconfig.node.json).
// Geometry checks shared by the consent and banner geometry suites: an element
// is on screen, inside the part of the page that shows it, and the point at its
// centre hits it (nothing drawn over it); a focus ring is not clipped or covered.
import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';

interface Placement {
  inViewport: boolean;
  /** What elementFromPoint found at the centre, when it was not the element (or inside it). */
  coveredBy: string | undefined;
  box: { x: number; y: number; width: number; height: number };
}

/** Where the element is, and whether the centre point reaches it. */
export function placement(locator: Locator): Promise<Placement> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const inViewport = r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= vw + 0.5 && r.bottom <= vh + 0.5;
    // Inline text that wraps (a name in a sentence) is hit-tested at the centre of each of its line boxes.
    const rects = getComputedStyle(el).display === 'inline' ? [...el.getClientRects()] : [r];
    let hit: Element | null = null;
    for (const line of rects) {
      hit = document.elementFromPoint(line.left + line.width / 2, line.top + line.height / 2);
      if (!(hit && (el === hit || el.contains(hit)))) break;
    }
    // A label's text is part of its control: a click there reaches the checkbox.
    const label = hit?.closest('label');
    const ok = hit !== null && (el === hit || el.contains(hit) || (label !== null && label !== undefined && label.htmlFor === el.id));
    const describe = (n: Element | null) => (n ? `${n.tagName.toLowerCase()}.${n.className}` : 'nothing');
    return { inViewport, coveredBy: ok ? undefined : describe(hit), box: { x: r.x, y: r.y, width: r.width, height: r.height } };
  });
}

export async function expectOnScreenAndUncovered(locator: Locator, what: string): Promise<void> {
  const p = await placement(locator);
  expect({ what, inViewport: p.inViewport, coveredBy: p.coveredBy, box: p.box }).toEqual({ what, inViewport: true, coveredBy: undefined, box: p.box });
}

/**
 * With the element focused (from the keyboard, so :focus-visible applies): its outline is drawn, lies inside the
 * viewport and inside every ancestor that clips, and no other part of the page (the footer, a banner row) sits on it.
 */
export async function expectFocusRingVisible(page: Page, locator: Locator, what: string): Promise<void> {
  await locator.focus();
  const ring = await locator.evaluate((el) => {
    const style = getComputedStyle(el);
    const width = parseFloat(style.outlineWidth) || 0;
    const offset = parseFloat(style.outlineOffset) || 0;
    const r = el.getBoundingClientRect();
    const grow = width + offset;
    const outer = { left: r.left - grow, top: r.top - grow, right: r.right + grow, bottom: r.bottom + grow };
    const problems: string[] = [];
    if (style.outlineStyle === 'none' || width < 2) problems.push(`outline ${style.outlineStyle} ${width}px`);
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    if (outer.left < 0 || outer.top < 0 || outer.right > vw + 0.5 || outer.bottom > vh + 0.5) problems.push('outside the viewport');
    for (let a = el.parentElement; a; a = a.parentElement) {
      const o = getComputedStyle(a);
      if (o.overflowX === 'visible' && o.overflowY === 'visible') continue;
      const c = a.getBoundingClientRect();
      if (outer.left < c.left - 0.5 || outer.top < c.top - 0.5 || outer.right > c.right + 0.5 || outer.bottom > c.bottom + 0.5) problems.push(`clipped by ${a.tagName.toLowerCase()}.${a.className}`);
    }
    // The ring's four edges: whatever is hit there must be the element or one of its ancestors (whose background the
    // ring is drawn over), never another box placed on top (a sticky footer, a positioned row).
    const mid = { x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2 };
    const edge = width / 2 + offset;
    const points = [
      [mid.x, r.top - edge],
      [mid.x, r.bottom + edge],
      [r.left - edge, mid.y],
      [r.right + edge, mid.y],
    ] as const;
    for (const [x, y] of points) {
      const hit = document.elementFromPoint(x, y);
      if (!hit) continue;
      const covering = hit !== el && !hit.contains(el) && !el.contains(hit);
      const positioned = covering && ['sticky', 'fixed', 'absolute'].includes(getComputedStyle(hit).position);
      const otherRegion = covering && hit.closest('footer, .banner-actions') !== el.closest('footer, .banner-actions');
      if (positioned || otherRegion) problems.push(`covered at ${Math.round(x)},${Math.round(y)} by ${hit.tagName.toLowerCase()}.${hit.className}`);
    }
    return problems;
  });
  expect({ what, ring }).toEqual({ what, ring: [] });
}

/** Pixels the document or any scrolling box is wider than it shows (0 when everything wraps). */
export function sidewaysScroll(page: Page): Promise<number> {
  return page.evaluate(() => {
    let worst = document.documentElement.scrollWidth - document.documentElement.clientWidth;
    for (const el of document.querySelectorAll('*')) {
      const o = getComputedStyle(el).overflowX;
      if (o === 'auto' || o === 'scroll') worst = Math.max(worst, el.scrollWidth - el.clientWidth);
    }
    return worst;
  });
}

/** How far the document scrolls vertically (0 when it fits its window). */
export function verticalScroll(page: Page, selector?: string): Promise<number> {
  return page.evaluate((sel) => {
    const el = sel ? document.querySelector(sel) : document.documentElement;
    return el ? el.scrollHeight - el.clientHeight : -1;
  }, selector);
}

/** "Show more" is on screen, uncovered, beside the clipped details (never drawn on them or their fade), at full strength. */
export async function expectShowMoreClear(page: Page) {
  const more = page.getByRole('button', { name: 'Show more' });
  await expect(more).toBeVisible();
  await expectOnScreenAndUncovered(more, 'Show more');
  const details = (await page.locator('#consent-details').boundingBox())!;
  const box = (await more.boundingBox())!;
  expect(box.x, '"Show more" starts right of the clipped details').toBeGreaterThanOrEqual(details.x + details.width - 0.5);
  const look = await more.evaluate((el) => {
    let opacity = 1;
    for (let a: Element | null = el; a; a = a.parentElement) opacity *= Number(getComputedStyle(a).opacity);
    const style = getComputedStyle(el);
    return { opacity, border: parseFloat(style.borderTopWidth), underline: style.textDecorationLine.includes('underline') };
  });
  // Drawn like the other buttons: a frame, no link underline, nothing faded.
  expect(look).toEqual({ opacity: 1, border: 1, underline: false });
}

/** Words of realistic length up to exactly `max` characters (wraps like real text, at the schema's limit). */
export const longest = (seed: string, max: number) => {
  const text = `${seed} `.repeat(Math.ceil(max / (seed.length + 1))).slice(0, max);
  return text.endsWith(' ') ? `${text.slice(0, -1)}W` : text;
};
