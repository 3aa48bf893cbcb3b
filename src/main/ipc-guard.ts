// Every message a page sends to main passes here before anything acts on it:
// it must come from the one window that owns the channel, from that window's
// top frame, while it shows exactly our page, and its payload must satisfy
// the contract's zod schema. Anything else is logged and dropped.
import { IPC, isIpcChannel, parseIpcMessage, type IpcChannel, type IpcErrorCode, type IpcPayload, type IpcWindow } from '../shared/ipc-contract.js';

/** The parts of Electron's IpcMainEvent the guard reads (fakes in tests). */
export interface IpcEventLike {
  sender: { id: number; mainFrame: unknown };
  /** null when the frame navigated away or was destroyed before main saw the message. */
  senderFrame: { url: string; parent: unknown } | null;
}

/** Who may send a window's channels right now: its webContents and its page URL. */
export interface ExpectedSender {
  webContentsId: number;
  url: string;
}

export type IpcRejectCode = IpcErrorCode | 'window-not-open' | 'wrong-sender' | 'no-frame' | 'sub-frame' | 'wrong-url' | 'extra-arguments';

export interface IpcRejection {
  code: IpcRejectCode;
  /** Truncated and JSON-quoted when it isn't a contract channel. */
  channel: string;
  senderId: number;
  detail: string;
}

export type IpcCheck<C extends IpcChannel = IpcChannel> = { ok: true; channel: C; payload: IpcPayload<C> } | { ok: false; rejection: IpcRejection };

export interface IpcGuardOptions {
  /** The live window of that kind that may send this channel, or undefined when none is open. */
  expectedSender(window: IpcWindow, channel: IpcChannel): ExpectedSender | undefined;
  /** Where rejections go (the app's log; tests collect them). */
  log(rejection: IpcRejection): void;
}

export interface IpcGuard {
  check(event: IpcEventLike, channel: unknown, args: readonly unknown[]): IpcCheck;
}

/**
 * The frame shows exactly our page: equal after URL canonicalisation (so
 * `Program Files` and `Program%20Files` agree), with no query or fragment.
 */
export function samePage(frameUrl: string, expectedUrl: string): boolean {
  if (!URL.canParse(frameUrl) || !URL.canParse(expectedUrl)) return false;
  const frame = new URL(frameUrl);
  const expected = new URL(expectedUrl);
  return frame.protocol === 'file:' && frame.search === '' && frame.hash === '' && frameUrl.indexOf('#') === -1 && frameUrl.indexOf('?') === -1 && frame.href === expected.href;
}

export function createIpcGuard(o: IpcGuardOptions): IpcGuard {
  return {
    check(event, channel, args) {
      const senderId = event.sender.id;
      const reject = (code: IpcRejectCode, detail: string): IpcCheck => {
        const rejection: IpcRejection = { code, channel: isIpcChannel(channel) ? channel : JSON.stringify(String(channel)).slice(0, 80), senderId, detail };
        o.log(rejection);
        return { ok: false, rejection };
      };
      if (!isIpcChannel(channel)) return reject('unknown-channel', 'not a contract channel');
      const window = IPC[channel].window;
      const expected = o.expectedSender(window, channel);
      if (!expected) return reject('window-not-open', `no ${window} window is open`);
      if (senderId !== expected.webContentsId) return reject('wrong-sender', `sent by webContents ${senderId}, not the ${window} window`);
      const frame = event.senderFrame;
      if (!frame) return reject('no-frame', 'the sending frame is gone');
      if (frame !== event.sender.mainFrame || frame.parent !== null) return reject('sub-frame', 'sent from a sub-frame');
      if (!samePage(frame.url, expected.url)) return reject('wrong-url', `sent from ${JSON.stringify(frame.url.slice(0, 200))}`);
      if (args.length > 1) return reject('extra-arguments', `${args.length} arguments; the contract carries one payload`);
      const parsed = parseIpcMessage(channel, args[0], { window, direction: 'to-main' });
      if (!parsed.ok) return reject(parsed.code, parsed.detail);
      return { ok: true, channel: parsed.channel, payload: parsed.payload };
    },
  };
}
