// What every preload does, and all it does: expose its window's part of the
// contract as window.porchlight (frozen, outgoing payloads checked).
import { contextBridge, ipcRenderer } from 'electron';
import { z } from 'zod';
import { BRIDGE_GLOBAL, createBridge, type IpcWindow } from '../../shared/ipc-contract.js';
import { ipcTransport } from './ipc-transport.js';

// The page CSP forbids eval; zod must not probe for it here either.
z.config({ jitless: true });

export function exposeBridge(window: IpcWindow): void {
  contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, createBridge(window, ipcTransport(ipcRenderer)));
}
