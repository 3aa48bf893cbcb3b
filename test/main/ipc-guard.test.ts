import { describe, expect, it } from 'vitest';
import { createIpcGuard, samePage, type IpcEventLike, type IpcRejection } from '../../src/main/ipc-guard.js';
import { registerIpcRoutes, TO_MAIN_CHANNELS, type IpcHandlers } from '../../src/main/ipc-routes.js';
import type { IpcWindow } from '../../src/shared/ipc-contract.js';

const URLS: Record<IpcWindow, string> = {
  consent: 'file:///app/dist/renderer/consent/index.html',
  banner: 'file:///app/dist/renderer/banner/index.html',
  summary: 'file:///app/dist/renderer/summary/index.html',
  settings: 'file:///app/dist/renderer/settings/index.html',
};
const IDS: Record<IpcWindow, number> = { consent: 11, banner: 12, summary: 13, settings: 14 };

/** A fake IpcMainEvent: the top frame of webContents `id` showing `url`. */
function eventFrom(id: number, url: string, opts: { subFrame?: boolean; noFrame?: boolean } = {}): IpcEventLike {
  const mainFrame = { url, parent: null };
  if (opts.noFrame) return { sender: { id, mainFrame }, senderFrame: null };
  if (opts.subFrame) return { sender: { id, mainFrame }, senderFrame: { url, parent: mainFrame } };
  return { sender: { id, mainFrame }, senderFrame: mainFrame };
}

function setup(open: readonly IpcWindow[] = ['consent', 'banner', 'summary', 'settings']) {
  const log: IpcRejection[] = [];
  const guard = createIpcGuard({
    expectedSender: (w) => (open.includes(w) ? { webContentsId: IDS[w], url: URLS[w] } : undefined),
    log: (r) => log.push(r),
  });
  return { guard, log };
}

const answer = { kind: 'decision', promptId: 'prompt-0001', granted: ['view'] };

describe('IPC sender checks', () => {
  it('accepts a valid payload from the owning window top frame at its exact page URL', () => {
    const { guard, log } = setup();
    expect(guard.check(eventFrom(11, URLS.consent), 'consent:answer', [answer])).toEqual({ ok: true, channel: 'consent:answer', payload: answer });
    expect(log).toEqual([]);
  });

  const rejections: [string, () => { ev: IpcEventLike; channel: unknown; args: unknown[]; open?: IpcWindow[] }, string][] = [
    ['a channel outside the contract', () => ({ ev: eventFrom(11, URLS.consent), channel: 'shell:openExternal', args: ['x'] }), 'unknown-channel'],
    ['a channel of a window that is not open', () => ({ ev: eventFrom(11, URLS.consent), channel: 'consent:answer', args: [answer], open: ['banner'] }), 'window-not-open'],
    ['another window sending this window channel', () => ({ ev: eventFrom(12, URLS.banner), channel: 'consent:answer', args: [answer] }), 'wrong-sender'],
    ['an unknown webContents', () => ({ ev: eventFrom(99, URLS.consent), channel: 'consent:answer', args: [answer] }), 'wrong-sender'],
    ['a sender whose frame is gone', () => ({ ev: eventFrom(11, URLS.consent, { noFrame: true }), channel: 'consent:answer', args: [answer] }), 'no-frame'],
    ['a sub-frame (iframe) of the right window', () => ({ ev: eventFrom(11, URLS.consent, { subFrame: true }), channel: 'consent:answer', args: [answer] }), 'sub-frame'],
    ['the right window navigated elsewhere', () => ({ ev: eventFrom(11, 'https://evil.example/consent/index.html'), channel: 'consent:answer', args: [answer] }), 'wrong-url'],
    ['another file:// page in the right window', () => ({ ev: eventFrom(11, URLS.banner), channel: 'consent:answer', args: [answer] }), 'wrong-url'],
    ['our page with a query string', () => ({ ev: eventFrom(11, `${URLS.consent}?x=1`), channel: 'consent:answer', args: [answer] }), 'wrong-url'],
    ['our page with a fragment', () => ({ ev: eventFrom(11, `${URLS.consent}#a`), channel: 'consent:answer', args: [answer] }), 'wrong-url'],
    ['extra arguments', () => ({ ev: eventFrom(11, URLS.consent), channel: 'consent:answer', args: [answer, 'more'] }), 'extra-arguments'],
    ['a payload failing the schema', () => ({ ev: eventFrom(11, URLS.consent), channel: 'consent:answer', args: [{ ...answer, granted: ['root'] }] }), 'bad-payload'],
    ['unknown keys in the payload', () => ({ ev: eventFrom(11, URLS.consent), channel: 'consent:answer', args: [{ ...answer, extra: 1 }] }), 'bad-payload'],
    ['a payload where none belongs', () => ({ ev: eventFrom(12, URLS.banner), channel: 'banner:ready', args: [{}] }), 'bad-payload'],
    ['a main -> page channel sent by a page', () => ({ ev: eventFrom(11, URLS.consent), channel: 'consent:show', args: [{}] }), 'wrong-direction'],
    ['a prototype key as channel', () => ({ ev: eventFrom(11, URLS.consent), channel: '__proto__', args: [] }), 'unknown-channel'],
  ];
  for (const [name, make, code] of rejections) {
    it(`rejects and logs ${name} (${code})`, () => {
      const { ev, channel, args, open } = make();
      const { guard, log } = setup(open);
      const r = guard.check(ev, channel, args);
      expect(r.ok).toBe(false);
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ code, senderId: ev.sender.id });
    });
  }
});

describe('samePage', () => {
  it('agrees on canonically equal file URLs (Windows paths with spaces)', () => {
    expect(samePage('file:///C:/Program%20Files/Porchlight/resources/app.asar/dist/renderer/consent/index.html', 'file:///C:/Program Files/Porchlight/resources/app.asar/dist/renderer/consent/index.html')).toBe(true);
  });
  it('refuses other schemes, other paths, empty query or fragment markers, and junk', () => {
    const page = 'file:///app/dist/renderer/consent/index.html';
    expect(samePage(page.replace('file:', 'https:'), page.replace('file:', 'https:'))).toBe(false);
    expect(samePage('file:///app/dist/renderer/consent/../banner/index.html', page)).toBe(false);
    expect(samePage(`${page}?`, page)).toBe(false);
    expect(samePage(`${page}#`, page)).toBe(false);
    expect(samePage('not a url', page)).toBe(false);
    expect(samePage('', page)).toBe(false);
  });
});

describe('IPC routes', () => {
  function fakeIpcMain() {
    const listeners = new Map<string, (event: IpcEventLike, ...args: unknown[]) => void>();
    return { listeners, on: (c: string, l: (event: IpcEventLike, ...args: unknown[]) => void) => listeners.set(c, l) };
  }
  function recordingHandlers() {
    const calls: [string, unknown][] = [];
    const handlers = Object.fromEntries(TO_MAIN_CHANNELS.map((c) => [c, (p: unknown) => calls.push([c, p])])) as unknown as IpcHandlers;
    return { calls, handlers };
  }

  it('listens on exactly the page -> main channels of the contract', () => {
    const ipc = fakeIpcMain();
    registerIpcRoutes(ipc, setup().guard, recordingHandlers().handlers);
    expect([...ipc.listeners.keys()].sort()).toEqual(
      [
        'banner:action',
        'banner:content-height',
        'banner:ready',
        'banner:resize',
        'consent:answer',
        'consent:open-ticket',
        'consent:ready',
        'summary:close',
        'summary:copy',
        'summary:ready',
        'summary:resolution',
        'settings:ready',
        'settings:change',
        'settings:close',
      ].sort(),
    );
  });

  it('acts on a valid message and never on a rejected one', () => {
    const ipc = fakeIpcMain();
    const { guard, log } = setup();
    const { calls, handlers } = recordingHandlers();
    registerIpcRoutes(ipc, guard, handlers);
    const send = (channel: string, ev: IpcEventLike, ...args: unknown[]) => ipc.listeners.get(channel)!(ev, ...args);
    send('banner:action', eventFrom(12, URLS.banner), { kind: 'end-session', sessionId: 'ses-1' });
    send('banner:action', eventFrom(11, URLS.consent), { kind: 'end-session', sessionId: 'ses-1' });
    send('banner:action', eventFrom(12, URLS.banner), { kind: 'end-session', sessionId: '../../etc' });
    send('summary:copy', eventFrom(13, URLS.summary, { subFrame: true }), 'text');
    expect(calls).toEqual([['banner:action', { kind: 'end-session', sessionId: 'ses-1' }]]);
    expect(log.map((r) => r.code)).toEqual(['wrong-sender', 'bad-payload', 'sub-frame']);
  });
});
