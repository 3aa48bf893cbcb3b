// The only way a page reaches the agent: the object the preload exposes.
import { BRIDGE_GLOBAL } from '../../src/shared/ipc-contract.js';
import type { BridgeOf, IpcWindow } from '../../src/shared/ipc-contract.js';

/** The bridge for this page's window, or undefined when the page runs without one. */
export function bridgeFor<W extends IpcWindow>(_window: W): BridgeOf[W] | undefined {
  return (globalThis as unknown as Record<string, BridgeOf[W] | undefined>)[BRIDGE_GLOBAL];
}
