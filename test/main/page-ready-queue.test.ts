// The one "send when the page is ready" helper every window controller uses.
import { describe, expect, it } from 'vitest';
import { MAX_QUEUED_PER_PAGE, PageReadyQueue } from '../../src/main/page-ready-queue.js';
import { bannerView, summaryView } from '../renderer/sample-views.js';
import { FakeWindow } from './fake-windows.js';

function setup(max?: number) {
  const log: [string, string][] = [];
  const queue = new PageReadyQueue((e, d) => log.push([e, d]), max);
  let nextId = 1;
  const window = () => new FakeWindow('banner', nextId++);
  return { queue, log, window };
}

describe('page ready queue', () => {
  it('queues messages until the page says ready, then sends them in order, then runs what waited', () => {
    const t = setup();
    const w = t.window();
    const order: string[] = [];
    expect(t.queue.send(w, 'banner:update', bannerView({ granted: ['view'] }))).toBe(true);
    t.queue.whenReady(w, () => order.push(`shown after ${w.sent.length} messages`));
    expect(t.queue.send(w, 'banner:update', bannerView())).toBe(true);
    expect(w.sent).toEqual([]);
    expect(t.queue.queued(w)).toBe(2);
    t.queue.ready(w);
    expect(w.sent).toEqual([
      ['banner:update', bannerView({ granted: ['view'] })],
      ['banner:update', bannerView()],
    ]);
    expect(order).toEqual(['shown after 2 messages']);
    expect(t.queue.queued(w)).toBe(0);
  });

  it('sends at once, and runs a task at once, once the page is ready', () => {
    const t = setup();
    const w = t.window();
    t.queue.ready(w);
    t.queue.send(w, 'banner:update', bannerView());
    let ran = false;
    t.queue.whenReady(w, () => (ran = true));
    expect(w.sent).toEqual([['banner:update', bannerView()]]);
    expect(ran).toBe(true);
  });

  it('keeps each webContents apart: one page being ready sends nothing to another', () => {
    const t = setup();
    const [a, b] = [t.window(), t.window()];
    t.queue.send(a, 'banner:update', bannerView());
    t.queue.send(b, 'banner:update', bannerView({ granted: ['view'] }));
    t.queue.ready(b);
    expect(a.sent).toEqual([]);
    expect(b.sent).toEqual([['banner:update', bannerView({ granted: ['view'] })]]);
  });

  it('drops what was queued for a destroyed webContents, sends nothing to it, and forgets it', () => {
    const t = setup();
    const w = t.window();
    let ran = false;
    t.queue.send(w, 'banner:update', bannerView());
    t.queue.whenReady(w, () => (ran = true));
    expect(t.queue.size).toBe(1);
    w.destroy();
    expect(t.queue.size).toBe(0);
    t.queue.ready(w);
    expect(t.queue.send(w, 'banner:update', bannerView())).toBe(false);
    t.queue.whenReady(w, () => (ran = true));
    expect(w.sent).toEqual([]);
    expect(ran).toBe(false);
    expect(t.queue.size).toBe(0);
  });

  it('stops running waiting tasks once one of them destroyed the window', () => {
    const t = setup();
    const w = t.window();
    const ran: string[] = [];
    t.queue.whenReady(w, () => (ran.push('first'), w.destroy()));
    t.queue.whenReady(w, () => ran.push('second'));
    t.queue.ready(w);
    expect(ran).toEqual(['first']);
  });

  it('never queues or sends a payload that breaks the contract, and logs it', () => {
    const t = setup();
    const w = t.window();
    expect(t.queue.send(w, 'summary:show', { ...summaryView(), scopesGranted: ['root'] })).toBe(false);
    t.queue.ready(w);
    expect(t.queue.reply(w, 'summary:show', 'not a view')).toBe(false);
    expect(w.sent).toEqual([]);
    expect(t.log.map(([e]) => e)).toEqual(['view-rejected', 'view-rejected']);
  });

  it('is bounded: a page that never says ready keeps only the newest messages and tasks', () => {
    const t = setup();
    const w = t.window();
    const tasks: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      t.queue.send(w, 'banner:update', bannerView({ sessionId: `ses-${i}` }));
      t.queue.whenReady(w, () => tasks.push(i));
    }
    expect(t.queue.queued(w)).toBe(MAX_QUEUED_PER_PAGE);
    expect(t.log.filter(([e]) => e === 'page-queue-full')).toHaveLength(2 * (10_000 - MAX_QUEUED_PER_PAGE));
    t.queue.ready(w);
    const sent = w.sent.map(([, p]) => (p as { sessionId: string }).sessionId);
    expect(sent).toHaveLength(MAX_QUEUED_PER_PAGE);
    expect(sent.at(0)).toBe(`ses-${10_000 - MAX_QUEUED_PER_PAGE}`);
    expect(sent.at(-1)).toBe('ses-9999');
    expect(tasks).toHaveLength(MAX_QUEUED_PER_PAGE);
  });

  it('a reloading page waits again and gets none of what was queued for the old page', () => {
    const t = setup();
    const w = t.window();
    t.queue.send(w, 'banner:update', bannerView({ granted: ['view'] }));
    t.queue.reloading(w);
    t.queue.send(w, 'banner:update', bannerView());
    t.queue.ready(w);
    expect(w.sent).toEqual([['banner:update', bannerView()]]);
    t.queue.reloading(w);
    expect(t.queue.isReady(w)).toBe(false);
    t.queue.send(w, 'banner:update', bannerView());
    expect(w.sent).toHaveLength(1);
  });

  it('replies at once to a page that has not said ready (it is listening: it just sent)', () => {
    const t = setup();
    const w = t.window();
    expect(t.queue.reply(w, 'banner:update', bannerView())).toBe(true);
    expect(w.sent).toEqual([['banner:update', bannerView()]]);
    w.destroy();
    expect(t.queue.reply(w, 'banner:update', bannerView())).toBe(false);
  });
});
