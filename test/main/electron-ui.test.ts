import { describe, expect, it } from 'vitest';
import { ElectronUi, type UiOptions } from '../../src/main/electron-ui.js';
import { SettingsWindow } from '../../src/main/settings-window.js';
import { createIpcGuard } from '../../src/main/ipc-guard.js';
import { registerIpcRoutes } from '../../src/main/ipc-routes.js';
import type { IpcEventLike } from '../../src/main/ipc-guard.js';
import { BANNER_HEIGHTS } from '../../src/main/window-options.js';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import type { IpcChannel, IpcWindow } from '../../src/shared/ipc-contract.js';
import type { ConsentAnswer } from '../../src/shared/view-models.js';
import { bannerView, consentView, summaryView } from '../renderer/sample-views.js';
import { fakeServices, flush, pageUrl, type FakeWindow } from './fake-windows.js';

/** The UI wired to a fake ipcMain through the real guard, as main.ts does. */
function setup(options?: UiOptions) {
  const f = fakeServices();
  const ui = new ElectronUi(f.services, options);
  const actions: string[] = [];
  ui.setActions({
    revokeScope: async (id, scope) => (actions.push(`revoke ${id} ${scope}`), true),
    endSession: async (id) => (actions.push(`end ${id}`), true),
    sendUserMessage: async (id, text) => (actions.push(`say ${id} ${typeof text === 'string' ? text : text.quick}`), 'sent'),
    sendResolution: async (a) => (actions.push(`resolved ${a.sessionId} ${a.solved}`), 'sent'),
  });
  const listeners = new Map<string, (event: IpcEventLike, ...args: unknown[]) => void>();
  const rejected: string[] = [];
  // The settings window has its own controller; main.ts merges both handler sets the same way.
  const settings = new SettingsWindow({ windows: f.services.windows, settings: { entries: () => [], isPolicyKeyLocked: () => false, effective: () => ({ policy: DEFAULT_POLICY, lockedKeys: [], problems: [] }), set: () => ({ ok: true }) }, apply: () => ({ restartRequired: false }), log: () => undefined });
  const expectedSender = (w: IpcWindow, channel: IpcChannel) => (w === 'settings' ? settings.expectedSender() : ui.expectedSender(w, channel));
  registerIpcRoutes({ on: (c, l) => listeners.set(c, l) }, createIpcGuard({ expectedSender, log: (r) => rejected.push(r.code) }), { ...ui.ipcHandlers(), ...settings.ipcHandlers() });
  /** A message from a window's page (its top frame, at the URL it shows). */
  const fromPage = (w: FakeWindow, channel: string, payload?: unknown) => {
    const frame = { url: w.currentUrl, parent: null };
    listeners.get(channel)!({ sender: { id: w.webContentsId, mainFrame: frame }, senderFrame: frame }, ...(payload === undefined ? [] : [payload]));
  };
  return { ...f, ui, actions, fromPage, rejected };
}

function settle(p: Promise<ConsentAnswer>) {
  const state: { answer?: ConsentAnswer } = {};
  void p.then((a) => (state.answer = a));
  return state;
}

describe('consent window', () => {
  it('opens centred on the cursor display, sends the view when the page is ready, shows and focuses it', () => {
    const t = setup();
    void t.ui.showConsent(consentView(), new AbortController().signal);
    const w = t.last('consent')!;
    expect(w.bounds).toEqual({ x: 680, y: 180, width: 560, height: 680 });
    expect(w.sent).toEqual([]);
    expect(w.shown).toBe('no');
    t.fromPage(w, 'consent:ready');
    expect(w.sent).toEqual([['consent:show', consentView()]]);
    expect(w.shown).toBe('active');
    expect(w.focusCalls).toBe(1);
    expect(w.flashing).toBe(false);
    expect(w.history).toEqual(['content-protection on', 'send consent:show', 'show']);
  });

  it('centres on the other display when the cursor is there', () => {
    const t = setup();
    t.screen.cursor = { x: -5, y: 500 };
    void t.ui.showConsent(consentView(), new AbortController().signal);
    expect(t.last('consent')!.bounds).toEqual({ x: -1920 + 680, y: 200, width: 560, height: 680 });
  });

  it('flashes the taskbar when focus cannot be taken, and stops once focused', () => {
    const t = setup();
    t.options.canTakeFocus = false;
    void t.ui.showConsent(consentView(), new AbortController().signal);
    const w = t.last('consent')!;
    t.fromPage(w, 'consent:ready');
    expect(w.flashing).toBe(true);
    w.canTakeFocus = true;
    w.focus();
    expect(w.flashing).toBe(false);
  });

  it('resolves with the user decision and closes the window', async () => {
    const t = setup();
    const s = settle(t.ui.showConsent(consentView(), new AbortController().signal));
    const w = t.last('consent')!;
    t.fromPage(w, 'consent:ready');
    t.fromPage(w, 'consent:answer', { kind: 'decision', promptId: 'prompt-0001', granted: ['view'] });
    await flush();
    expect(s.answer).toEqual({ kind: 'decision', promptId: 'prompt-0001', granted: ['view'] });
    expect(w.destroyed).toBe(true);
  });

  it('declines when the dialog is closed', async () => {
    const t = setup();
    const s = settle(t.ui.showConsent(consentView(), new AbortController().signal));
    t.last('consent')!.userCloses();
    await flush();
    expect(s.answer).toEqual({ kind: 'dismissed', promptId: 'prompt-0001' });
  });

  it('closes the dialog and declines when the core aborts (timeout, relay lost)', async () => {
    const t = setup();
    const ac = new AbortController();
    const s = settle(t.ui.showConsent(consentView(), ac.signal));
    const w = t.last('consent')!;
    ac.abort();
    await flush();
    expect(w.destroyed).toBe(true);
    expect(s.answer).toEqual({ kind: 'dismissed', promptId: 'prompt-0001' });
  });

  it('never opens a window for an already aborted signal', async () => {
    const t = setup();
    const ac = new AbortController();
    ac.abort();
    expect(await t.ui.showConsent(consentView(), ac.signal)).toEqual({ kind: 'dismissed', promptId: 'prompt-0001' });
    expect(t.windows).toHaveLength(0);
  });

  it('declines when the dialog renderer crashes', async () => {
    const t = setup();
    const s = settle(t.ui.showConsent(consentView(), new AbortController().signal));
    const w = t.last('consent')!;
    w.crash();
    await flush();
    expect(s.answer).toEqual({ kind: 'dismissed', promptId: 'prompt-0001' });
    expect(w.destroyed).toBe(true);
  });

  it('a second launch brings the prompt to the front (flashing where focus is refused)', () => {
    const t = setup();
    void t.ui.showConsent(consentView(), new AbortController().signal);
    const w = t.last('consent')!;
    w.canTakeFocus = false;
    t.ui.bringToFront();
    expect(w.shown).toBe('active');
    expect(w.flashing).toBe(true);
  });

  it('ignores an answer for another prompt and answers from other windows', async () => {
    const t = setup();
    const s = settle(t.ui.showConsent(consentView(), new AbortController().signal));
    const w = t.last('consent')!;
    t.fromPage(w, 'consent:answer', { kind: 'decision', promptId: 'prompt-9999', granted: ['view'] });
    t.ui.showBanner(bannerView());
    t.fromPage(t.last('banner')!, 'consent:answer', { kind: 'decision', promptId: 'prompt-0001', granted: ['view'] });
    await flush();
    expect(s.answer).toBeUndefined();
    expect(t.effects.log.map(([e]) => e)).toContain('stale-answer');
    expect(t.rejected).toEqual(['wrong-sender']);
  });

  it('opens only the shown ticket link', () => {
    const t = setup();
    void t.ui.showConsent(consentView(), new AbortController().signal);
    const w = t.last('consent')!;
    t.fromPage(w, 'consent:open-ticket', 'https://evil.example/phish');
    t.fromPage(w, 'consent:open-ticket', 'https://helpdesk.example.com/tickets/INC0012345');
    expect(t.effects.opened).toEqual(['https://helpdesk.example.com/tickets/INC0012345']);
  });

  it('does not send a view that breaks the contract, and declines it', async () => {
    const t = setup();
    const bad = { ...consentView(), scopes: ['root'] } as unknown as ReturnType<typeof consentView>;
    const s = settle(t.ui.showConsent(bad, new AbortController().signal));
    const w = t.last('consent')!;
    t.fromPage(w, 'consent:ready');
    await flush();
    expect(w.sent).toEqual([]);
    expect(s.answer).toEqual({ kind: 'dismissed', promptId: 'prompt-0001' });
  });
});

describe('banner window', () => {
  it('appears top-centre without stealing focus and refreshes in place', () => {
    const t = setup();
    t.ui.showBanner(bannerView());
    const w = t.last('banner')!;
    expect(w.bounds).toEqual({ x: 580, y: 8, width: 760, height: BANNER_HEIGHTS.compact });
    t.fromPage(w, 'banner:ready');
    expect(w.shown).toBe('inactive');
    t.ui.showBanner(bannerView({ granted: ['view'] }));
    expect(t.windows.filter((x) => x.kind === 'banner')).toHaveLength(1);
    expect(w.sent.map(([c, p]) => [c, (p as { granted: string[] }).granted])).toEqual([
      ['banner:update', ['view', 'control', 'file-transfer']],
      ['banner:update', ['view']],
    ]);
  });

  it('End session and revoke reach the agent for the session on screen only', async () => {
    const t = setup();
    t.ui.showBanner(bannerView());
    const w = t.last('banner')!;
    t.fromPage(w, 'banner:action', { kind: 'revoke-scope', sessionId: 'ses-0001', scope: 'control' });
    t.fromPage(w, 'banner:action', { kind: 'end-session', sessionId: 'ses-other' });
    t.fromPage(w, 'banner:action', { kind: 'end-session', sessionId: 'ses-0001' });
    await flush();
    expect(t.actions).toEqual(['revoke ses-0001 control', 'end ses-0001']);
  });

  it("the reply box and the quick question reach the agent for the session on screen only; bad text is dropped by the guard", async () => {
    const t = setup();
    t.ui.showBanner(bannerView());
    const w = t.last('banner')!;
    t.fromPage(w, 'banner:action', { kind: 'user-message', sessionId: 'ses-0001', text: 'It works' });
    t.fromPage(w, 'banner:action', { kind: 'user-message', sessionId: 'ses-other', text: 'not mine' });
    t.fromPage(w, 'banner:action', { kind: 'user-message', sessionId: 'ses-0001', text: 'evil\u202Eexe' });
    t.fromPage(w, 'banner:action', { kind: 'quick-question', sessionId: 'ses-0001' });
    await flush();
    expect(t.actions).toEqual(['say ses-0001 It works', 'say ses-0001 question']);
  });

  it('reloads a crashed banner, which then gets the view again', () => {
    const t = setup();
    t.ui.showBanner(bannerView());
    const w = t.last('banner')!;
    w.crash();
    expect(w.reloads).toBe(1);
    expect(w.destroyed).toBe(false);
    t.fromPage(w, 'banner:ready');
    expect(w.sent).toEqual([['banner:update', bannerView()]]);
  });

  it('cannot be closed, minimised or hidden while the session is live, and comes back if destroyed anyway', () => {
    const t = setup();
    t.ui.showBanner(bannerView());
    const w = t.last('banner')!;
    t.fromPage(w, 'banner:ready');
    w.userCloses();
    expect(w.destroyed).toBe(false);
    w.hide();
    expect(w.shown).toBe('inactive');
    // A crash or a window manager that ignores closable:false (Linux): a new banner with the same view.
    w.destroy();
    const again = t.last('banner')!;
    expect(again).not.toBe(w);
    expect(t.ui.expectedSender('banner')).toEqual({ webContentsId: again.webContentsId, url: pageUrl('banner') });
    t.fromPage(again, 'banner:ready');
    expect(again.sent).toEqual([['banner:update', bannerView()]]);
    expect(again.shown).toBe('inactive');
    expect(t.effects.log).toContainEqual(['banner-closed', expect.stringMatching(/session is live/)]);
  });

  it('goes for good once the session ended, and when the app quits', () => {
    const t = setup();
    t.ui.showBanner(bannerView());
    t.ui.hideBanner('ses-0001');
    t.ui.showBanner(bannerView());
    t.ui.closeAll();
    expect(t.windows.filter((x) => x.kind === 'banner').map((x) => x.destroyed)).toEqual([true, true]);
  });

  it('resizes when expanded and hides for its session only', () => {
    const t = setup();
    t.ui.showBanner(bannerView());
    const w = t.last('banner')!;
    t.fromPage(w, 'banner:resize', 'expanded');
    expect(w.bounds).toEqual({ x: 580, y: 8, width: 760, height: BANNER_HEIGHTS.expanded });
    t.ui.hideBanner('ses-other');
    expect(w.destroyed).toBe(false);
    t.ui.hideBanner('ses-0001');
    expect(w.destroyed).toBe(true);
    expect(t.ui.expectedSender('banner')).toBeUndefined();
  });

  it('follows a display change: the banner display is unplugged', () => {
    const t = setup();
    t.screen.cursor = { x: -100, y: 100 };
    t.ui.showBanner(bannerView());
    const w = t.last('banner')!;
    expect(w.bounds.x).toBe(-1920 + 580);
    t.screen.displays = t.screen.displays.slice(0, 1);
    t.screen.cursor = { x: 300, y: 300 };
    t.ui.displaysChanged();
    expect(w.bounds).toEqual({ x: 580, y: 8, width: 760, height: BANNER_HEIGHTS.compact });
  });
});

describe('summary window', () => {
  it('shows the summary, copies text and closes', () => {
    const t = setup();
    t.ui.showSummary(summaryView());
    const w = t.last('summary')!;
    t.fromPage(w, 'summary:ready');
    expect(w.sent).toEqual([['summary:show', summaryView()]]);
    expect(w.shown).toBe('active');
    t.fromPage(w, 'summary:copy', 'Session ses-0001');
    expect(t.effects.clipboard).toEqual(['Session ses-0001']);
    t.fromPage(w, 'summary:close');
    expect(w.destroyed).toBe(true);
  });

  it("passes the user's answer on only for the summary on screen, and only a valid one", async () => {
    const t = setup();
    t.ui.showSummary(summaryView());
    const w = t.last('summary')!;
    t.fromPage(w, 'summary:resolution', { sessionId: 'ses-other', solved: true });
    t.fromPage(w, 'summary:resolution', { sessionId: 'ses-0001', solved: false, rating: 9 });
    t.fromPage(w, 'summary:resolution', { sessionId: 'ses-0001', solved: false, rating: 2, comment: 'Still broken' });
    await flush();
    expect(t.actions).toEqual(['resolved ses-0001 false']);
  });
});

describe('notifications and status', () => {
  it('shows unattended start as a critical notification that stays, and policy blocks', () => {
    const t = setup();
    t.ui.notify({ kind: 'unattended-start', title: 'Unattended remote support started', body: 'Alice is connected' });
    t.ui.notify({ kind: 'policy-block', title: 'Remote support request blocked', body: 'refused' });
    t.ui.notify({ kind: 'session-end', title: 'Remote support session ended', body: 'ended (expiry)' });
    expect(t.effects.notifications).toEqual([
      { title: 'Unattended remote support started', body: 'Alice is connected', silent: false, urgency: 'critical', timeoutType: 'never' },
      { title: 'Remote support request blocked', body: 'refused', silent: false, urgency: 'normal', timeoutType: 'default' },
      { title: 'Remote support session ended', body: 'ended (expiry)', silent: false, urgency: 'normal', timeoutType: 'default' },
    ]);
  });

  it('passes status changes to the tray', () => {
    const t = setup();
    t.ui.setStatus({ connection: 'connected', prompting: true });
    expect(t.effects.statuses).toEqual([{ connection: 'connected', prompting: true }]);
  });

  it('declines the open prompt and closes every window when the app quits', async () => {
    const t = setup();
    const s = settle(t.ui.showConsent(consentView(), new AbortController().signal));
    t.ui.showBanner(bannerView());
    t.ui.showSummary(summaryView());
    t.ui.closeAll();
    await flush();
    expect(s.answer).toEqual({ kind: 'dismissed', promptId: 'prompt-0001' });
    expect(t.windows.every((w) => w.destroyed)).toBe(true);
  });
});

describe('preloaded consent window', () => {
  const answer = { kind: 'decision', promptId: 'prompt-0001', granted: ['view'] };
  /** Preloading on, and the hidden window loaded and ready. */
  function warm() {
    const t = setup({ preloadConsent: true });
    t.ui.warmUp();
    expect(t.windows).toHaveLength(0);
    t.runLater();
    const idle = t.last('consent')!;
    t.fromPage(idle, 'consent:ready');
    return { ...t, idle };
  }

  it('stays hidden and empty until a prompt comes, then gets the view, content protection and focus before it shows', () => {
    const t = warm();
    t.ui.bringToFront();
    t.ui.displaysChanged();
    expect(t.idle.shown).toBe('no');
    expect(t.idle.history).toEqual([]);
    void t.ui.showConsent(consentView(), new AbortController().signal);
    expect(t.windows).toHaveLength(1);
    expect(t.idle.bounds).toEqual({ x: 680, y: 180, width: 560, height: 680 });
    expect(t.idle.sent).toEqual([['consent:show', consentView()]]);
    expect(t.idle.history).toEqual(['content-protection on', 'send consent:show', 'show']);
    expect(t.idle.contentProtection).toBe(true);
    expect(t.idle.focusCalls).toBe(1);
  });

  it('takes no answer, ticket link or other message from the preloaded window while it holds no prompt', async () => {
    const t = warm();
    t.fromPage(t.idle, 'consent:answer', answer);
    t.fromPage(t.idle, 'consent:open-ticket', 'https://helpdesk.example.com/tickets/INC0012345');
    expect(t.rejected).toEqual(['window-not-open', 'window-not-open']);
    expect(t.ui.expectedSender('consent', 'consent:answer')).toBeUndefined();
    expect(t.ui.expectedSender('consent', 'consent:ready')).toEqual({ webContentsId: t.idle.webContentsId, url: pageUrl('consent') });
    // The early answer did not carry over to the prompt that arrives next.
    const s = settle(t.ui.showConsent(consentView(), new AbortController().signal));
    await flush();
    expect(s.answer).toBeUndefined();
    expect(t.effects.opened).toEqual([]);
  });

  it('is destroyed after its prompt, and a fresh one is preloaded afterwards, never while a prompt is up', async () => {
    const t = warm();
    const s = settle(t.ui.showConsent(consentView(), new AbortController().signal));
    t.fromPage(t.idle, 'consent:answer', answer);
    await flush();
    expect(s.answer).toEqual(answer);
    expect(t.idle.destroyed).toBe(true);
    expect(t.windows).toHaveLength(1);
    t.runLater();
    const next = t.last('consent')!;
    expect(next).not.toBe(t.idle);
    expect(next.shown).toBe('no');
    // A prompt before the new page is ready takes it; nothing more is preloaded while it is up.
    void t.ui.showConsent(consentView({ promptId: 'prompt-0002' }), new AbortController().signal);
    t.runLater();
    expect(t.windows).toHaveLength(2);
    expect(next.shown).toBe('no');
    t.fromPage(next, 'consent:ready');
    expect(next.sent).toEqual([['consent:show', consentView({ promptId: 'prompt-0002' })]]);
    expect(next.shown).toBe('active');
  });

  it('a preload that falls due while a prompt is up waits until the prompt ended', async () => {
    const t = setup({ preloadConsent: true });
    t.ui.warmUp();
    const ac = new AbortController();
    void t.ui.showConsent(consentView(), ac.signal);
    t.runLater();
    expect(t.windows).toHaveLength(1);
    ac.abort();
    await flush();
    t.runLater();
    expect(t.windows).toHaveLength(2);
    expect(t.last('consent')!.shown).toBe('no');
  });

  it('replaces a preloaded window whose renderer crashed or that was closed', () => {
    const t = warm();
    t.idle.crash();
    expect(t.idle.destroyed).toBe(true);
    expect(t.ui.expectedSender('consent', 'consent:ready')).toBeUndefined();
    t.runLater();
    const second = t.last('consent')!;
    expect(second).not.toBe(t.idle);
    second.userCloses();
    t.runLater();
    expect(t.windows).toHaveLength(3);
    expect(t.effects.log).toEqual([
      ['consent-preload-discarded', 'renderer gone'],
      ['consent-preload-discarded', 'window closed'],
    ]);
  });

  it('discards a preloaded window that left its page and opens a fresh one for the prompt', () => {
    const t = warm();
    t.idle.currentUrl = 'https://evil.example/';
    void t.ui.showConsent(consentView(), new AbortController().signal);
    expect(t.idle.destroyed).toBe(true);
    expect(t.idle.shown).toBe('no');
    expect(t.idle.sent).toEqual([]);
    const fresh = t.last('consent')!;
    expect(fresh).not.toBe(t.idle);
    expect(fresh.shown).toBe('no');
    t.fromPage(fresh, 'consent:ready');
    expect(fresh.shown).toBe('active');
    expect(t.effects.log).toContainEqual(['consent-preload-discarded', 'left its page: "https://evil.example/"']);
  });

  it('is destroyed when the app quits, and nothing is preloaded after', () => {
    const t = warm();
    t.ui.closeAll();
    expect(t.idle.destroyed).toBe(true);
    t.runLater();
    expect(t.windows).toHaveLength(1);
  });

  it('quitting during a prompt preloads nothing (no timer left behind)', async () => {
    const t = warm();
    void t.ui.showConsent(consentView(), new AbortController().signal);
    t.ui.closeAll();
    await flush();
    expect(t.pending.size).toBe(0);
  });

  it('off: no window before a prompt, a new one on arrival, none kept after', async () => {
    const t = setup({ preloadConsent: false });
    t.ui.warmUp();
    expect(t.pending.size).toBe(0);
    const s = settle(t.ui.showConsent(consentView(), new AbortController().signal));
    const w = t.last('consent')!;
    expect(w.shown).toBe('no');
    t.fromPage(w, 'consent:ready');
    expect(w.history).toEqual(['content-protection on', 'send consent:show', 'show']);
    t.fromPage(w, 'consent:answer', answer);
    await flush();
    expect(s.answer).toEqual(answer);
    expect(t.pending.size).toBe(0);
    expect(t.windows).toHaveLength(1);
  });
});
