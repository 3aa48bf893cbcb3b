// An input whose answer closes its own window: Decline or Allow on the consent
// dialog, Escape there, End session on the banner. The shell destroys the
// window as soon as it has the answer (ChromiumUi closes the page the same
// way), and that close can overtake Playwright's own work after the event
// (the hit-target check and waiting for navigations after a mouse-up; the
// key-up after an Escape key-down), which then fails the action with "Target
// page, context or browser has been closed" although it did what it should.
// Here that error counts only once the page really did close.
import type { Locator, Page } from '@playwright/test';

export async function actClosingWindow(page: Page, act: () => Promise<void>): Promise<void> {
  const closed = page.waitForEvent('close');
  // Nothing to report if the action itself failed first: that error is the one thrown below.
  closed.catch(() => undefined);
  try {
    await act();
  } catch (e) {
    if (!page.isClosed()) throw e;
  }
  await closed;
}

export function clickClosingWindow(page: Page, control: Locator, options: { force?: boolean } = {}): Promise<void> {
  return actClosingWindow(page, () => control.click(options));
}
