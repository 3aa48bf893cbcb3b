import { describe, expect, it } from 'vitest';
import type { IpcRendererEvent } from 'electron';
import { ipcTransport, type IpcRendererLike } from '../../src/preload/lib/ipc-transport.js';
import { BRIDGE_CHANNELS, createBridge } from '../../src/shared/ipc-contract.js';

type Listener = (event: IpcRendererEvent, ...args: unknown[]) => void;

function fakeIpcRenderer() {
  const sent: unknown[][] = [];
  const listeners = new Map<string, Set<Listener>>();
  const ipc: IpcRendererLike = {
    send: (...args) => sent.push(args),
    on: (c, l) => listeners.set(c, (listeners.get(c) ?? new Set()).add(l)),
    removeListener: (c, l) => listeners.get(c)?.delete(l),
  };
  const emit = (c: string, ...args: unknown[]) => listeners.get(c)?.forEach((l) => l({ sender: 'ipcRenderer itself' } as unknown as IpcRendererEvent, ...args));
  return { ipc, sent, listeners, emit };
}

describe('preload bridge over ipcRenderer', () => {
  it('exposes exactly the window methods and sends one validated payload per message', () => {
    const f = fakeIpcRenderer();
    const bridge = createBridge('consent', ipcTransport(f.ipc));
    expect(Object.keys(bridge).sort()).toEqual(Object.keys(BRIDGE_CHANNELS.consent).sort());
    expect(Object.isFrozen(bridge)).toBe(true);
    bridge.answer({ kind: 'dismissed', promptId: 'prompt-1' });
    bridge.answer({ kind: 'dismissed', promptId: '<script>' } as never);
    bridge.ready();
    expect(f.sent).toEqual([['consent:answer', { kind: 'dismissed', promptId: 'prompt-1' }], ['consent:ready', undefined]]);
  });

  it('hands listeners the payload only, never the IPC event, and unsubscribes', () => {
    const f = fakeIpcRenderer();
    const bridge = createBridge('banner', ipcTransport(f.ipc));
    const got: unknown[][] = [];
    const off = bridge.onUpdate((...args: unknown[]) => got.push(args));
    f.emit('banner:update', { sessionId: 's' });
    off();
    f.emit('banner:update', { sessionId: 't' });
    expect(got).toEqual([[{ sessionId: 's' }]]);
    expect(f.listeners.get('banner:update')?.size).toBe(0);
  });
});
