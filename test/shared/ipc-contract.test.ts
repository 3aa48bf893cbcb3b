import { describe, expect, it } from 'vitest';
import { BRIDGE_CHANNELS, IPC, IPC_WINDOWS, parseIpcMessage, parseIpcPayload } from '../../src/shared/ipc-contract.js';

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
  });

  it('types payloads per channel', () => {
    const r = parseIpcPayload('banner:resize', 'expanded');
    expect(r).toEqual({ ok: true, payload: 'expanded' });
    expect(parseIpcPayload('banner:resize', 'huge').ok).toBe(false);
    expect(parseIpcPayload('summary:ready', undefined).ok).toBe(true);
  });
});
