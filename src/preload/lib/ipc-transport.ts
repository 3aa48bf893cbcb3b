// The transport createBridge needs, on top of ipcRenderer. The page never
// sees the IpcRendererEvent (it carries `sender`, i.e. ipcRenderer itself):
// listeners get the payload only.
import type { IpcRendererEvent } from 'electron';
import type { BridgeTransport } from '../../shared/ipc-contract.js';

/** The parts of ipcRenderer used (fakes in tests). */
export interface IpcRendererLike {
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
}

export function ipcTransport(ipc: IpcRendererLike): BridgeTransport {
  return {
    send: (channel, payload) => ipc.send(channel, payload),
    on(channel, listener) {
      const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      ipc.on(channel, handler);
      return () => {
        ipc.removeListener(channel, handler);
      };
    },
  };
}
