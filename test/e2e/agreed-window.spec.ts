// End to end (issue 20): the built `porchlight request --at --window --ics` -> the relay process -> the
// real agent core -> the scheduling prompt in Chromium -> Agree -> the agreed window in the CLI, the .ics,
// the tray's status and both audits -> a request inside the window starts without a prompt (banner and
// notice) -> the user cancels the window -> the next request prompts again.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { CONSENT_SIZE } from '../../src/main/window-options.js';
import { screenshotDir } from '../renderer/open-page.js';
import { requestCli } from './agent-world.js';
import { useE2eWorld } from './e2e-world.js';
import { clickClosingWindow } from './closing-click.js';

// The user's clock as the prompt shows it (24-hour, like most of the world; en-US says 09:32 PM).
test.use({ locale: 'en-GB' });

const e2e = useE2eWorld();

test('agree to a window, connect inside it without a prompt, cancel it, and the prompt is back', async ({ context }) => {
  const w = await e2e.start(context);
  const { token } = await e2e.newTechnician({ display: 'Alice Moreau' });
  const ticket = 'INC-E2E-W';
  const ics = join(mkdtempSync(join(tmpdir(), 'pl-e2e-ics-')), 'window.ics');
  const common = ['--device', w.deviceId, '--ticket', ticket, '--reason', 'Reinstall the calendar add-in after hours'];

  // Propose a window starting now, for two hours.
  const propose = requestCli(e2e.relay, token, [...common, '--scopes', 'view,control', '--at', new Date().toISOString(), '--window', '2h', '--ics', ics]);
  const pending = await propose.event('session.pending');
  const prompt = await w.ui.page('consent');
  await expect(prompt.getByRole('heading', { level: 1 })).toHaveText(/^Alice Moreau would like to connect (today|tonight) \d\d:\d\d\u2011\d\d:\d\d(?: \(next day\))? for INC-E2E-W \(view, control\)\. Agree\?$/);
  await expect(prompt.locator('.code')).toContainText(`${String(pending.verificationCode).slice(0, 3)} ${String(pending.verificationCode).slice(3)}`);
  // The window as the shell opens it (ChromiumUi stands in for Electron's window at Playwright's default size).
  await prompt.setViewportSize(CONSENT_SIZE);
  const agree = prompt.getByRole('button', { name: 'Agree' });
  await expect(agree).toHaveAttribute('aria-disabled', 'false');
  await prompt.screenshot({ path: `${screenshotDir}/e2e-schedule-prompt.png` });
  await clickClosingWindow(prompt, agree);

  const agreed = await propose.event('agreed-window');
  expect(agreed).toMatchObject({ ticketId: ticket, scopes: ['view', 'control'], ics });
  expect((await propose.done).code).toBe(0);
  expect(readFileSync(ics, 'utf8')).toMatch(/^BEGIN:VCALENDAR\r\n[\s\S]*DTSTART:\d{8}T\d{6}Z\r\n[\s\S]*END:VCALENDAR\r\n$/);
  await expect.poll(() => w.agent.status().agreedWindows?.map((x) => x.windowId)).toEqual([agreed.windowId]);

  // Inside the window: the same technician, ticket and fewer scopes start at once, with the banner and a notice.
  const prompts = w.ui.opened.consent.length;
  const inside = requestCli(e2e.relay, token, [...common, '--scopes', 'view']);
  const decision = await inside.event('session.decision');
  expect(decision).toMatchObject({ outcome: 'accepted', granted: ['view'], decidedBy: 'agreed-window' });
  await inside.event('session.started');
  const banner = await w.ui.page('banner');
  await expect(banner.getByText('Alice Moreau is connected')).toBeVisible();
  expect(w.ui.opened.consent.length).toBe(prompts);
  expect(w.ui.notifications.map((n) => n.body)).toContainEqual(expect.stringContaining('in the window you agreed to'));
  inside.child.kill('SIGINT');
  expect((await inside.done).code).toBe(0);

  // The user cancels from the tray: the relay keeps and audits it; the next request prompts again.
  await w.agent.idle();
  expect(await w.agent.revokeAgreedWindow(String(agreed.windowId))).toBe(true);
  await expect.poll(async () => (await e2e.relay.auditOf(ticket)).map((r) => r.kind)).toEqual(expect.arrayContaining(['schedule-request', 'schedule-decision', 'decision', 'window-revoked']));
  const after = requestCli(e2e.relay, token, [...common, '--scopes', 'view']);
  const again = await w.ui.page('consent', prompts);
  await expect(again.getByRole('heading', { level: 1 })).toHaveText('Alice Moreau wants to connect to this computer');
  await clickClosingWindow(again, again.getByRole('button', { name: 'Decline' }));
  expect((await after.done).code).toBe(4);
});
