// The console shows the user's screen with noVNC over the relay's screen
// channel (issue 21, on issue 16's channel). Real parts: the relay process,
// the agent core with the x11vnc screen gate set by policy, Xvfb with an X
// input recorder, Debian Chromium. View-only until control is granted, and
// the panel says which; revoking view or ending the session removes the canvas.
import { expect, test, type Page } from '@playwright/test';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingXBinaries } from '../screen/x-display.js';
import { DEVICE, startConsoleScreenWorld, type ConsoleScreenWorld } from './console-screen-world.js';

const missing = [...missingXBinaries(), ...['/usr/bin/xev', '/usr/bin/python3'].filter((b) => !existsSync(b))];
const shots = fileURLToPath(new URL('../../test-results/console', import.meta.url));
const ORANGE = 0xff8000;
const BLUE = 0x2060ff;
const GREEN = 0x20a040;
/** Framebuffer points checked on the canvas: corners and centre of Xvfb's 320x240. */
const POINTS: Array<[number, number]> = [[2, 2], [160, 120], [317, 237]];

test.skip(missing.length > 0, `needs ${missing.join(', ')} (apt-get install xvfb x11vnc xdotool x11-xserver-utils x11-utils python3-tk)`);
test.describe.configure({ mode: 'serial' });

let w: ConsoleScreenWorld;
/** Errors the page logged (noVNC logs its failures to the console). */
let problems: string[] = [];
test.beforeAll(async () => {
  test.setTimeout(240_000); // the relay process needs a built dist/, built here if stale
  w = await startConsoleScreenWorld('#ff8000');
});
test.afterAll(async () => await w?.close());
test.afterEach(() => expect(problems).toEqual([]));

test.beforeEach(async ({ page }) => {
  // The previous test's session is over at the agent too: the live session id below is this test's.
  await expect.poll(() => w.agent.status().session?.sessionId ?? null, { message: 'the previous session to end at the agent' }).toBeNull();
  await w.paint('#ff8000');
  problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.addInitScript(() => {
    const seen: string[] = [];
    Object.defineProperty(globalThis, '__cspViolations', { value: seen });
    globalThis.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
});

/** Sign in and ask for view (and control unless `viewOnly`); the user grants `grant`. */
async function signInAndRequest(page: Page, grant: ConsoleScreenWorld['grant'], o: { viewOnly?: boolean } = {}): Promise<void> {
  w.grant = grant;
  await page.goto(w.relay.url.replace(/^ws/, 'http') + '/');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  await page.getByLabel('API token').fill(w.token);
  await page.getByLabel('API token').press('Enter');
  await expect(page.locator('#who')).toContainText('Signed in as');
  await page.getByLabel('Device id').fill(DEVICE);
  await page.getByLabel('Ticket', { exact: true }).fill('INC0012345');
  await page.getByLabel('Reason (the user reads this)').fill('Outlook stops syncing after the update');
  await page.getByLabel('View', { exact: true }).check();
  if (!o.viewOnly) await page.getByLabel('Control').check();
  await page.getByRole('button', { name: 'Send request' }).click();
  // The grant waits for the gate to start x11vnc: seconds on a busy machine.
  await expect(page.locator('#state')).toContainText('Session live', { timeout: 20_000 });
}

/** The canvas's pixels at `points` (0xrrggbb), or null while there is no canvas. */
function pixels(page: Page, points = POINTS): Promise<number[] | null> {
  return page.evaluate((pts) => {
    const c = document.querySelector<HTMLCanvasElement>('#screen-view canvas');
    if (!c || c.width === 0) return null;
    const ctx = c.getContext('2d')!;
    return pts.map(([x, y]) => {
      const d = ctx.getImageData(x, y, 1, 1).data;
      return (d[0]! << 16) | (d[1]! << 8) | d[2]!;
    });
  }, points);
}

/** Paint the X display and wait until the canvas shows it: everything the console sent before has been through the agent and x11vnc. */
async function paintAndSee(page: Page, colour: string, rgb: number): Promise<void> {
  await w.paint(colour);
  await expect.poll(() => pixels(page), { message: `the canvas to turn ${colour}`, timeout: 10_000 }).toEqual(POINTS.map(() => rgb));
}

/** Click the canvas where framebuffer point (fx, fy) is drawn. */
async function clickScreen(page: Page, fx: number, fy: number): Promise<void> {
  const canvas = page.locator('#screen-view canvas');
  await canvas.scrollIntoViewIfNeeded(); // the live panel scrolls (e.g. to the more-access form)
  const box = (await canvas.boundingBox())!;
  const [width, height] = await canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height]);
  await page.mouse.click(box.x + ((fx + 0.5) * box.width) / width!, box.y + ((fy + 0.5) * box.height) / height!);
}

const near = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.abs(a.x - b.x) <= 1 && Math.abs(a.y - b.y) <= 1;

async function liveSessionId(): Promise<string> {
  await expect.poll(() => w.agent.status().session?.sessionId ?? null).not.toBeNull();
  return w.agent.status().session!.sessionId;
}

/** On screen without scrolling and not covered: the point at its centre hits it. */
async function expectUncoveredInViewport(page: Page, selector: string): Promise<void> {
  const seen = await page.evaluate((sel) => {
    const el = document.querySelector(sel)!;
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return { inside: r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth, hit: hit === el || el.contains(hit), scrolled: scrollY };
  }, selector);
  expect(seen, selector).toEqual({ inside: true, hit: true, scrolled: 0 });
}

/** The live panel with the screen at 1280x800 light and dark (End and the mode words on screen), and at 200 % zoom. */
async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(shots, { recursive: true });
  for (const sel of ['#code', '#end', '#screen-view .screen-status', '#screen-view canvas']) await expectUncoveredInViewport(page, sel);
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await page.screenshot({ path: join(shots, `screen-${name}-1280x800-${theme}.png`) });
  }
  // 200 % zoom of the same window: half the CSS pixels.
  await page.setViewportSize({ width: 640, height: 400 });
  await page.screenshot({ path: join(shots, `screen-${name}-zoom200-dark.png`) });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(shots, `screen-${name}-zoom200-light.png`) });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('view only: the canvas shows the user\'s real screen, a click and a key never reach the X server; ending the session removes it', async ({ page }) => {
  await signInAndRequest(page, ['view'], { viewOnly: true });
  await expect(page.locator('#screen-view .screen-status')).toHaveText('Viewing');
  await expect.poll(() => pixels(page), { message: 'the canvas to show the orange X display', timeout: 10_000 }).toEqual(POINTS.map(() => ORANGE));
  expect(await page.locator('#screen-view canvas').evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([320, 240]);
  await paintAndSee(page, '#2060ff', BLUE); // live, not a snapshot
  await screenshots(page, 'viewing');

  const input = await w.recordInput();
  try {
    await w.x.movePointer(10, 10);
    await clickScreen(page, 200, 150);
    await page.keyboard.press('a');
    await paintAndSee(page, '#20a040', GREEN);
    expect(await w.x.pointer()).toEqual({ x: 10, y: 10 });
    expect(input.events()).toEqual([]);
  } finally {
    await input.stop();
  }

  expect(await w.agent.endSession(await liveSessionId())).toBe(true);
  await expect(page.locator('#screen-view canvas')).toHaveCount(0);
  await expect(page.locator('#screen-view .screen-status')).toHaveText('Screen closed: the session ended');
  expect(await page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
});

test('control granted: click and key reach the X server; revoking control goes back to viewing; End removes the canvas', async ({ page }) => {
  await signInAndRequest(page, ['view', 'control']);
  await expect(page.locator('#screen-view .screen-status')).toHaveText('Controlling mouse and keyboard');
  await expect.poll(() => pixels(page), { timeout: 10_000 }).toEqual(POINTS.map(() => ORANGE));
  await screenshots(page, 'controlling');

  const input = await w.recordInput();
  try {
    await w.x.movePointer(10, 10);
    await clickScreen(page, 200, 150);
    await expect.poll(async () => near(await w.x.pointer(), { x: 200, y: 150 }), { message: 'the X pointer to reach (200, 150)' }).toBe(true);
    await page.keyboard.press('a');
    await expect.poll(() => input.events().filter((e) => e.includes('keysym 0x61, a')).length, { message: 'the key a to reach the X server' }).toBe(2);
    expect(input.events().filter((e) => e.startsWith('ButtonPress')).length).toBe(1);
    // Keyboard-first: F8 takes the keyboard back from the screen (End, just above it, gets focus), and the key
    // never reaches the user's computer.
    await page.keyboard.press('F8');
    await expect(page.getByRole('button', { name: 'End', exact: true })).toBeFocused();
    expect(input.events().filter((e) => e.includes('F8'))).toEqual([]);

    const sessionId = await liveSessionId();
    expect(await w.agent.revokeScope(sessionId, 'control')).toBe(true);
    await expect(page.locator('#screen-view .screen-status')).toHaveText('Viewing');
    const seen = input.events().length;
    await clickScreen(page, 40, 30);
    await page.keyboard.press('b');
    await paintAndSee(page, '#2060ff', BLUE);
    expect(near(await w.x.pointer(), { x: 200, y: 150 })).toBe(true);
    expect(input.events().slice(seen)).toEqual([]);
  } finally {
    await input.stop();
  }
  await page.getByRole('button', { name: 'End', exact: true }).click();
  await expect(page.locator('#screen-view canvas')).toHaveCount(0);
  await expect(page.locator('#screen-view .screen-status')).toHaveText('Screen closed: the session ended');
});

test('control granted mid-session (more access) switches from viewing to control; revoking view removes the canvas and says so', async ({ page }) => {
  await signInAndRequest(page, ['view']);
  await expect(page.locator('#screen-view .screen-status')).toHaveText('Viewing');
  await expect.poll(() => pixels(page), { timeout: 10_000 }).toEqual(POINTS.map(() => ORANGE));
  w.grant = ['view', 'control'];
  const asked = w.prompts;
  await page.getByText('More access or time').click();
  await page.locator('#more-choices').getByLabel('Control').check();
  await page.getByLabel('Why (the user reads this)').fill('Need to click through the add-in settings');
  await page.getByRole('button', { name: 'Ask the user' }).click();
  await expect(page.locator('#screen-view .screen-status')).toHaveText('Controlling mouse and keyboard');
  expect(w.prompts).toBe(asked + 1);
  await w.x.movePointer(10, 10);
  await clickScreen(page, 120, 90);
  await expect.poll(async () => near(await w.x.pointer(), { x: 120, y: 90 }), { message: 'the X pointer to reach (120, 90)' }).toBe(true);
  // Control stays granted, so the session goes on without the picture.
  expect(await w.agent.revokeScope(await liveSessionId(), 'view')).toBe(true);
  await expect(page.locator('#screen-view canvas')).toHaveCount(0);
  await expect(page.locator('#screen-view .screen-status')).toHaveText('Screen closed: the user stopped sharing it (view revoked)');
  await expect(page.locator('#state')).toContainText('Session live');
  await page.getByRole('button', { name: 'End', exact: true }).click();
});

test('the screen connection breaks while view is granted: the panel says so and "Show the screen again" brings it back', async ({ page }) => {
  await signInAndRequest(page, ['view'], { viewOnly: true });
  await expect.poll(() => pixels(page), { timeout: 10_000 }).toEqual(POINTS.map(() => ORANGE));
  expect(w.killGateVnc()).toBe(1);
  await expect(page.locator('#screen-view canvas')).toHaveCount(0);
  await expect(page.locator('#screen-view .screen-status')).toContainText('Screen closed');
  await page.screenshot({ path: join(shots, 'screen-closed-1280x800-light.png') });
  await page.getByRole('button', { name: 'Show the screen again' }).click();
  await expect(page.locator('#screen-view .screen-status')).toHaveText('Viewing', { timeout: 15_000 });
  await expect.poll(() => pixels(page), { timeout: 10_000 }).toEqual(POINTS.map(() => ORANGE));
  await expect(page.getByRole('button', { name: 'Show the screen again' })).toBeHidden();
  await page.getByRole('button', { name: 'End', exact: true }).click();
});

test('a photo-like screen (Tight JPEG rectangles) is drawn under the console\'s CSP', async ({ page }) => {
  await signInAndRequest(page, ['view'], { viewOnly: true });
  await expect.poll(() => pixels(page), { timeout: 10_000 }).toEqual(POINTS.map(() => ORANGE));
  const stop = await w.showPhoto();
  try {
    // photo-screen.py: red rises left to right, green top to bottom (blue is noise).
    const channels = async () => (await pixels(page, [[8, 8], [312, 8], [8, 232]]))?.map((p) => [p >> 16, (p >> 8) & 0xff]) ?? null;
    await expect
      .poll(async () => {
        const c = await channels();
        return c !== null && c[0]![0]! < 40 && c[0]![1]! < 40 && c[1]![0]! > 215 && c[2]![1]! > 215;
      }, { message: 'the canvas to show the gradient', timeout: 10_000 })
      .toBe(true);
    expect(await page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
  } finally {
    await stop();
  }
  await page.getByRole('button', { name: 'End', exact: true }).click();
});
