// A click whose answer closes its own window: Decline or Allow on the consent
// dialog, End session on the banner. The shell destroys the window as soon as
// it has the answer (ChromiumUi closes the page the same way), and that close
// can overtake Playwright's own work after the mouse-up (the hit-target check,
// waiting for navigations), which then fails the click with "Target page,
// context or browser has been closed" although the click did what it should.
// Here that error counts only once the page really did close.
import type { Locator, Page } from '@playwright/test';

export async function clickClosingWindow(page: Page, control: Locator, options: { force?: boolean } = {}): Promise<void> {
  const closed = page.waitForEvent('close');
  // Nothing to report if the click itself failed first: that error is the one thrown below.
  closed.catch(() => undefined);
  try {
    await control.click(options);
  } catch (e) {
    if (!page.isClosed()) throw e;
  }
  await closed;
}
