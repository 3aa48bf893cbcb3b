import { describe, expect, it } from 'vitest';
import { HeadlessUi, REPEAT_NOTICE_MS } from '../../../src/core/headless/headless-ui.js';
import { CONNECT_FAILURE_REPEAT_MS } from '../../../src/core/connection/connect-failure.js';
import { RecordingNotifier } from './recording-notifier.js';

function ui(fail = false) {
  const lines: string[] = [];
  const notifier = new RecordingNotifier(fail);
  return { lines, notifier, ui: new HeadlessUi({ notifier, log: (l) => lines.push(l) }) };
}

describe('headless UI port', () => {
  it('tells the desktop user through the notifier and logs the notification', async () => {
    const h = ui();
    h.ui.notify({ kind: 'unattended-start', title: 'Unattended remote support started', body: 'Alice is connected for ticket INC-1.' });
    await h.ui.settled();
    expect(h.notifier.shown).toEqual([{ title: 'Unattended remote support started', body: 'Alice is connected for ticket INC-1.' }]);
    expect(h.lines).toEqual(['notify (unattended-start): Unattended remote support started: Alice is connected for ticket INC-1.']);
  });

  it('logs a failing notifier and carries on', async () => {
    const h = ui(true);
    expect(() => h.ui.notify({ kind: 'session-end', title: 'Ended', body: 'x' })).not.toThrow();
    await h.ui.settled();
    expect(h.lines.at(-1)).toBe('notify failed: the desktop notification could not be shown (no desktop session to notify)');
  });

  it('dismisses any prompt at once: nobody is there to answer', async () => {
    const h = ui();
    const answer = await h.ui.showConsent({ promptId: 'p-1', ticket: { id: 'INC-2' } } as Parameters<HeadlessUi['showConsent']>[0], new AbortController().signal);
    expect(answer).toEqual({ kind: 'dismissed', promptId: 'p-1' });
  });

  it('keeps each event on one line whatever the network sent', async () => {
    const h = ui();
    h.ui.notify({ kind: 'info', title: 'a\nb', body: 'c\r\nd\u2028e\u0000f \u001b[2J invoice\u202efdp.exe' });
    await h.ui.settled();
    // Line breaks become spaces; what would drive the terminal or reorder the line is shown, not obeyed.
    expect(h.lines).toEqual(['notify (info): a b: c d e<U+0000>f <U+001B>[2J invoice<U+202E>fdp.exe']);
  });

  it('logs a status line only when something an operator cares about changed', () => {
    const h = ui();
    h.ui.setStatus({ connection: 'connecting', prompting: false });
    h.ui.setStatus({ connection: 'connecting', prompting: false });
    h.ui.setStatus({ connection: 'connected', relayUrl: 'ws://127.0.0.1:1', prompting: false });
    expect(h.lines).toEqual(['status: connecting, no session', 'status: connected ws://127.0.0.1:1, no session']);
  });

  it('names why the relay cannot be reached once per cause while it retries, a new cause at once, the same again after 5 min', () => {
    let now = 0;
    const lines: string[] = [];
    const h = new HeadlessUi({ notifier: new RecordingNotifier(false), log: (l) => lines.push(l), now: () => now });
    const refused = 'nothing accepts connections on relay:7443 (connection refused)';
    const down = { connection: 'disconnected', relayUrl: 'wss://relay:7443', prompting: false, connectionProblem: refused } as const;
    const retry = () => {
      h.setStatus({ ...down, connection: 'connecting' });
      h.setStatus(down);
    };
    h.setStatus(down);
    retry();
    retry();
    now += CONNECT_FAILURE_REPEAT_MS - 1;
    retry();
    expect(lines).toEqual([
      `status: disconnected wss://relay:7443, no session; cause: ${refused}`,
      ...Array.from({ length: 3 }, () => ['status: connecting wss://relay:7443, no session', 'status: disconnected wss://relay:7443, no session']).flat(),
    ]);
    lines.length = 0;
    now += 1;
    retry();
    h.setStatus({ ...down, connectionProblem: 'cannot resolve relay (DNS: ENOTFOUND)' });
    expect(lines).toEqual([
      `status: connecting wss://relay:7443, no session; cause: ${refused}`,
      'status: disconnected wss://relay:7443, no session',
      'status: disconnected wss://relay:7443, no session; cause: cannot resolve relay (DNS: ENOTFOUND)',
    ]);
    // Connected in between: the same cause is news again.
    lines.length = 0;
    h.setStatus({ connection: 'connected', relayUrl: 'wss://relay:7443', prompting: false });
    h.setStatus(down);
    expect(lines).toEqual(['status: connected wss://relay:7443, no session', `status: disconnected wss://relay:7443, no session; cause: ${refused}`]);
  });
});

describe('headless UI port: repeated notices', () => {
  it('shows an identical status notice at most once an hour on the desktop, but logs every one', async () => {
    let now = 0;
    const lines: string[] = [];
    const notifier = new RecordingNotifier();
    const ui = new HeadlessUi({ notifier, log: (l) => lines.push(l), now: () => now });
    const refused = { kind: 'info', title: 'The relay refused this device', body: 'relay refused the agent: unauthorized' } as const;
    ui.notify(refused);
    now += REPEAT_NOTICE_MS - 1;
    ui.notify(refused);
    ui.notify({ kind: 'unattended-start', title: 'Unattended remote support started', body: 'x' });
    ui.notify({ kind: 'unattended-start', title: 'Unattended remote support started', body: 'x' });
    now += 1;
    ui.notify(refused);
    await ui.settled();
    expect(notifier.shown.map((s) => s.title)).toEqual(['The relay refused this device', 'Unattended remote support started', 'Unattended remote support started', 'The relay refused this device']);
    expect(lines.filter((l) => l.startsWith('notify (info)'))).toHaveLength(3);
  });
});
