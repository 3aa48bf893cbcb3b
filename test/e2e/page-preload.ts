// What a window's preload does, for a Chromium page: builds `window.porchlight`
// with the real createBridge over a transport whose sends go to the Playwright
// worker (the "main process") through an exposed binding. Bundled by esbuild
// (bridge-script.ts) and installed as an init script, so it runs before the page.
import '../../renderer/common/zod-jitless.js';
import { BRIDGE_GLOBAL, createBridge, type BridgeTransport, type IpcChannel, type IpcWindow } from '../../src/shared/ipc-contract.js';

interface PreloadGlobals {
  __porchlightWindow: IpcWindow;
  __porchlightSend(channel: IpcChannel, payload: unknown): Promise<void>;
}

const g = globalThis as unknown as PreloadGlobals;
const listeners = new Map<string, Set<(payload: unknown) => void>>();
const transport: BridgeTransport = {
  send: (channel, payload) => void g.__porchlightSend(channel, payload),
  on(channel, listener) {
    const set = listeners.get(channel) ?? new Set();
    listeners.set(channel, set);
    set.add(listener);
    return () => set.delete(listener);
  },
};
// "webContents.send": main delivers a message to this window's listeners.
Object.defineProperty(globalThis, '__porchlightDeliver', {
  value: (channel: string, payload: unknown) => {
    for (const l of listeners.get(channel) ?? []) l(payload);
  },
});
Object.defineProperty(globalThis, BRIDGE_GLOBAL, { value: createBridge(g.__porchlightWindow, transport) });
