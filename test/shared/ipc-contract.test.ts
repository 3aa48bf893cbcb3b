import { describe, expect, it } from 'vitest';
import { BRIDGE_CHANNELS, createBridge, IPC, IPC_WINDOWS, parseIpcMessage, parseIpcPayload } from '../../src/shared/ipc-contract.js';

describe('ipc contract', () => {
  it('maps every bridge method to a channel of its own window, and covers every channel', () => {
    const used = new Set<string>();
    for (const w of IPC_WINDOWS) {
      for (const [method, channel] of Object.entries(BRIDGE_CHANNELS[w])) {
        expect(IPC[channel].window, `${w}.${method}`).toBe(w);
        expect(IPC[channel].direction).toBe(method.startsWith('on') ? 'to-renderer' : 'to-main');
        used.add(channel);
      }
    }
    expect([...used].sort()).toEqual(Object.keys(IPC).sort());
  });

  it('accepts a valid answer from the consent window', () => {
    const r = parseIpcMessage('consent:answer', { kind: 'decision', promptId: 'p1', granted: ['view'] }, { window: 'consent', direction: 'to-main' });
    expect(r.ok).toBe(true);
  });

  it('rejects unknown channels, other windows, wrong directions and bad payloads with stable codes', () => {
    const main = { window: 'consent', direction: 'to-main' } as const;
    expect(parseIpcMessage('shell:exec', 'x', main)).toMatchObject({ ok: false, code: 'unknown-channel' });
    expect(parseIpcMessage('__proto__', 'x', main)).toMatchObject({ ok: false, code: 'unknown-channel' });
    expect(parseIpcMessage('banner:action', { kind: 'end-session', sessionId: 's1' }, main)).toMatchObject({ ok: false, code: 'wrong-window' });
    expect(parseIpcMessage('consent:show', {}, main)).toMatchObject({ ok: false, code: 'wrong-direction' });
    expect(parseIpcMessage('consent:answer', { kind: 'decision', promptId: 'p1', granted: ['root'] }, main)).toMatchObject({ ok: false, code: 'bad-payload' });
    expect(parseIpcMessage('consent:open-ticket', 'javascript:alert(1)', main)).toMatchObject({ ok: false, code: 'bad-payload' });
    // A typed confirmation code is exactly 3 digits.
    expect(parseIpcMessage('consent:answer', { kind: 'decision', promptId: 'p1', granted: ['view'], confirmCode: '472' }, main)).toMatchObject({ ok: true });
    for (const confirmCode of ['47', '4721', 'abc', 472]) expect(parseIpcMessage('consent:answer', { kind: 'decision', promptId: 'p1', granted: ['view'], confirmCode }, main)).toMatchObject({ ok: false, code: 'bad-payload' });
    // A dismissal may say the dialog gave up on wrong codes, and nothing else.
    expect(parseIpcMessage('consent:answer', { kind: 'dismissed', promptId: 'p1', reason: 'code-failed' }, main)).toMatchObject({ ok: true });
    for (const reason of ['closed', '', 1]) expect(parseIpcMessage('consent:answer', { kind: 'dismissed', promptId: 'p1', reason }, main)).toMatchObject({ ok: false, code: 'bad-payload' });
  });

  it('types payloads per channel', () => {
    const r = parseIpcPayload('banner:resize', 'expanded');
    expect(r).toEqual({ ok: true, payload: 'expanded' });
    expect(parseIpcPayload('banner:resize', 'huge').ok).toBe(false);
    expect(parseIpcPayload('summary:ready', undefined).ok).toBe(true);
  });
});

describe('settings channels', () => {
  const main = { window: 'settings', direction: 'to-main' } as const;
  const row = { id: 'startAtLogin', kind: 'toggle', value: true, source: 'default', locked: false, editable: true };

  it('accepts a change of any policy-key-shaped name with a small JSON value (main decides the rest)', () => {
    expect(parseIpcMessage('settings:change', { key: 'promptTimeoutSec', value: 30 }, main)).toMatchObject({ ok: true });
    expect(parseIpcMessage('settings:change', { key: 'allowedScopes', value: ['view'] }, main)).toMatchObject({ ok: true });
    expect(parseIpcMessage('settings:change', { key: 'unattendedAllowed', value: true }, main)).toMatchObject({ ok: true });
  });

  it('refuses malformed changes: odd key names, objects as values, extra fields, huge arrays', () => {
    for (const bad of [
      { key: '__proto__', value: 1 },
      { key: 'a.b', value: 1 },
      { key: '', value: 1 },
      { key: 'startAtLogin', value: { toString: 'x' } },
      { key: 'startAtLogin', value: null },
      { key: 'startAtLogin', value: true, extra: 1 },
      { key: 'allowedScopes', value: Array.from({ length: 17 }, () => 'view') },
      'startAtLogin=true',
    ]) {
      expect(parseIpcMessage('settings:change', bad, main), JSON.stringify(bad)).toMatchObject({ ok: false, code: 'bad-payload' });
    }
    expect(parseIpcMessage('settings:change', { key: 'startAtLogin', value: true }, { window: 'consent', direction: 'to-main' })).toMatchObject({ code: 'wrong-window' });
  });

  it('a row is never both locked and editable; results carry a known error code', () => {
    expect(parseIpcPayload('settings:show', { rows: [row], problems: [] }).ok).toBe(true);
    expect(parseIpcPayload('settings:show', { rows: [{ ...row, locked: true }], problems: [] }).ok).toBe(false);
    expect(parseIpcPayload('settings:result', { ok: false, key: 'startAtLogin', code: 'locked' }).ok).toBe(true);
    expect(parseIpcPayload('settings:result', { ok: false, key: 'startAtLogin', code: 'nope' }).ok).toBe(false);
    expect(parseIpcPayload('settings:result', { ok: true, key: 'relayUrl', row, restartRequired: false }).ok).toBe(false);
  });
});

describe('createBridge', () => {
  function transport() {
    const sent: [string, unknown][] = [];
    const listeners = new Map<string, (p: unknown) => void>();
    return {
      sent,
      listeners,
      send: (c: string, p: unknown) => void sent.push([c, p]),
      on: (c: string, l: (p: unknown) => void) => {
        listeners.set(c, l);
        return () => listeners.delete(c);
      },
    };
  }

  it('exposes exactly the methods of its window, mapped to their channels', () => {
    const t = transport();
    const consent = createBridge('consent', t);
    expect(Object.keys(consent).sort()).toEqual(['answer', 'onQueued', 'onShow', 'openTicket', 'ready']);
    expect(Object.isFrozen(consent)).toBe(true);
    consent.ready();
    consent.answer({ kind: 'dismissed', promptId: 'p1' });
    consent.openTicket('https://helpdesk.example.com/t/1');
    expect(t.sent).toEqual([
      ['consent:ready', undefined],
      ['consent:answer', { kind: 'dismissed', promptId: 'p1' }],
      ['consent:open-ticket', 'https://helpdesk.example.com/t/1'],
    ]);
  });

  it('drops outgoing payloads that break the contract', () => {
    const t = transport();
    const banner = createBridge('banner', t);
    banner.action({ kind: 'end-session', sessionId: 'has spaces' } as never);
    banner.resize('fullscreen' as never);
    expect(t.sent).toEqual([]);
  });

  it('hands incoming payloads to the page listener and unsubscribes', () => {
    const t = transport();
    const summary = createBridge('summary', t);
    const got: unknown[] = [];
    const off = summary.onShow((v) => got.push(v));
    t.listeners.get('summary:show')?.({ any: 'thing' });
    off();
    expect(got).toEqual([{ any: 'thing' }]);
    expect(t.listeners.has('summary:show')).toBe(false);
  });
});
