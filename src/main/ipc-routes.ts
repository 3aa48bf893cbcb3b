// The one place main listens for page messages: one listener per page ->
// main channel of the contract, each behind the guard. Channels outside the
// contract get no listener at all, and nothing uses ipcMain.handle/invoke.
import { IPC, IPC_CHANNELS, type ChannelsOf, type IpcChannel, type IpcPayload, type IpcWindow } from '../shared/ipc-contract.js';
import type { IpcEventLike, IpcGuard } from './ipc-guard.js';

export type ToMainChannel = ChannelsOf<IpcWindow, 'to-main'>;
/** Handlers for the page -> main channels of some windows (each window's controller supplies its own). */
export type HandlersOf<W extends IpcWindow> = { [C in ChannelsOf<W, 'to-main'>]: (payload: IpcPayload<C>) => void };
export type IpcHandlers = HandlersOf<IpcWindow>;

/** The part of Electron's ipcMain used here. */
export interface IpcMainLike<E extends IpcEventLike> {
  on(channel: string, listener: (event: E, ...args: unknown[]) => void): unknown;
}

export const TO_MAIN_CHANNELS = IPC_CHANNELS.filter((c): c is ToMainChannel => IPC[c].direction === 'to-main');

export function registerIpcRoutes<E extends IpcEventLike>(ipcMain: IpcMainLike<E>, guard: IpcGuard, handlers: IpcHandlers): void {
  for (const channel of TO_MAIN_CHANNELS) {
    ipcMain.on(channel, (event, ...args) => {
      const checked = guard.check(event, channel, args);
      if (!checked.ok) return;
      (handlers[channel] as (payload: IpcPayload<IpcChannel>) => void)(checked.payload);
    });
  }
}
