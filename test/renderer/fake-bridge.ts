// A stand-in for the preload: installs `window.porchlight` for one window
// before any page script runs, records every message the page sends, and lets
// the test push messages in. The only fake in these tests (the Electron boundary).
import type { Page } from '@playwright/test';
import { BRIDGE_CHANNELS, IPC } from '../../src/shared/ipc-contract.js';
import type { IpcChannel, IpcWindow } from '../../src/shared/ipc-contract.js';

export interface SentMessage {
  channel: IpcChannel;
  payload: unknown;
}

interface FakeBridgeState {
  sent: SentMessage[];
  deliver(channel: string, payload: unknown): void;
}

export async function installFakeBridge(page: Page, window: IpcWindow): Promise<void> {
  const methods = Object.entries(BRIDGE_CHANNELS[window]).map(([method, channel]) => ({
    method,
    channel,
    toRenderer: IPC[channel as IpcChannel].direction === 'to-renderer',
  }));
  await page.addInitScript((spec) => {
    const sent: { channel: string; payload: unknown }[] = [];
    const listeners = new Map<string, ((payload: unknown) => void)[]>();
    const bridge: Record<string, unknown> = {};
    for (const { method, channel, toRenderer } of spec) {
      bridge[method] = toRenderer
        ? (listener: (payload: unknown) => void) => {
            listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
            return () => listeners.set(channel, (listeners.get(channel) ?? []).filter((l) => l !== listener));
          }
        : (payload?: unknown) => {
            // Structured clone, like Electron IPC: the test sees data, not live objects.
            sent.push({ channel, payload: payload === undefined ? undefined : structuredClone(payload) });
          };
    }
    const state = { sent, deliver: (channel: string, payload: unknown) => (listeners.get(channel) ?? []).forEach((l) => l(payload)) };
    Object.defineProperty(globalThis, '__fakeBridge', { value: state });
    Object.defineProperty(globalThis, 'porchlight', { value: Object.freeze(bridge) });
  }, methods);
}

/** Every message the page sent so far, in order. */
export function sentMessages(page: Page): Promise<SentMessage[]> {
  return page.evaluate(() => (globalThis as unknown as { __fakeBridge: FakeBridgeState }).__fakeBridge.sent) as Promise<SentMessage[]>;
}

/** Messages on one channel, payloads only. */
export async function sentOn(page: Page, channel: IpcChannel): Promise<unknown[]> {
  return (await sentMessages(page)).filter((m) => m.channel === channel).map((m) => m.payload);
}

/** Deliver a main -> page message, as webContents.send would. */
export async function deliver(page: Page, channel: IpcChannel, payload: unknown): Promise<void> {
  await page.evaluate(([c, p]) => (globalThis as unknown as { __fakeBridge: FakeBridgeState }).__fakeBridge.deliver(c, p), [channel, payload] as const);
}
