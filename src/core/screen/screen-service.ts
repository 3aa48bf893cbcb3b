// The agent's screen gate: at most one screen channel, opened only for the
// live session while it holds `view`, closed the moment `view` goes (revoke,
// end, expiry, relay loss, agent exit). The input filter asks `control` per
// message. Opens and closes are audited; binary frames for any other session
// or channel number are refused.
import { encodeChannelFrame, parseChannelFrame } from '../../protocol/channel-frame.js';
import type { ErrorCode } from '../../protocol/error-codes.js';
import { newMessageId } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import type { Scope } from '../../protocol/scopes.js';
import type { RecordThenSend } from '../audit/record-then-send.js';
import { ScreenChannel } from './screen-channel.js';
import type { ScreenEndpoints } from './screen-gate.js';

export interface ScreenSessionInfo {
  granted: ReadonlySet<Scope>;
  ticketId: string;
  technicianId: string;
}

export interface ScreenServiceDeps {
  /** The screen gate (undefined: no screen server configured, every open is refused). */
  endpoints: ScreenEndpoints | undefined;
  /** The live session with this id, if any. */
  session: (sessionId: string) => ScreenSessionInfo | undefined;
  audited: RecordThenSend;
  sendBinary: (frame: Uint8Array) => boolean;
  /** The session's channel state changed (the banner shows it). */
  changed?: (sessionId: string) => void;
}

interface OpenChannel {
  sessionId: string;
  channel: number;
  screen: ScreenChannel;
}

export class ScreenService {
  private current: OpenChannel | undefined;

  constructor(private readonly d: ScreenServiceDeps) {}

  /** What the banner shows: is a viewer connected, has it carried input. */
  state(sessionId: string): { open: boolean; input: boolean } {
    const c = this.current;
    if (!c || c.sessionId !== sessionId || c.screen.isClosed) return { open: false, input: false };
    return { open: true, input: c.screen.carriedInput };
  }

  async onOpen(msg: Message<'channel.open'>): Promise<void> {
    const { sessionId, channel } = msg;
    const s = this.d.session(sessionId);
    if (!s) return this.refuse(msg, 'unknown-session', 'no live session has that id');
    if (!s.granted.has('view')) return this.refuse(msg, 'forbidden', 'view is not granted in this session');
    if (!this.d.endpoints) return this.refuse(msg, 'screen-unavailable', 'no screen server is configured on this device');
    // The gate opened the screen when view was granted (it may start x11vnc afresh here).
    const resolved = await this.d.endpoints.endpoint(sessionId);
    if (!resolved.ok) return this.refuse(msg, 'screen-unavailable', resolved.detail);
    if (this.d.session(sessionId)?.granted.has('view') !== true) return this.refuse(msg, 'forbidden', 'view is no longer granted');
    const { host, port } = resolved.endpoint;
    // One viewer at a time: a new open replaces the old channel.
    if (this.current) await this.closeCurrent('replaced by a new viewer');
    const screen = new ScreenChannel({
      endpoint: resolved.endpoint,
      sendData: (payload) => this.d.sendBinary(encodeChannelFrame({ kind: 'data', sessionId, channel, payload })),
      sendAck: (bytes) => this.d.sendBinary(encodeChannelFrame({ kind: 'ack', sessionId, channel, bytes })),
      controlAllowed: () => this.d.session(sessionId)?.granted.has('control') === true,
      onOpen: () => this.opened(sessionId, channel, s, `${host}:${port}`),
      onFailed: (code, detail) => void this.failed(open, code, detail),
      onFirstInput: () => this.d.changed?.(sessionId),
    });
    const open: OpenChannel = { sessionId, channel, screen };
    this.current = open;
    screen.open();
  }

  /** The technician closed it: close without an answer. */
  async onClose(msg: Message<'channel.close'>): Promise<void> {
    const c = this.current;
    if (!c || c.sessionId !== msg.sessionId || c.channel !== msg.channel) return;
    await this.closeCurrent('closed by the technician', false);
  }

  /** A binary frame from the relay. */
  onFrame(bytes: Uint8Array): void {
    const parsed = parseChannelFrame(bytes);
    const c = this.current;
    if (!c) return;
    if (!parsed.ok) return void this.failed(c, 'channel-violation', parsed.detail);
    const f = parsed.frame;
    if (f.sessionId !== c.sessionId || f.channel !== c.channel) return; // a stale or foreign frame: ignored
    if (f.kind === 'data') return c.screen.deliver(f.payload);
    if (!c.screen.ack(f.bytes)) void this.failed(c, 'channel-violation', 'ack for more bytes than were sent');
  }

  /** The session's grants changed: without `view` the channel closes now. */
  async grantsChanged(sessionId: string): Promise<void> {
    const c = this.current;
    if (!c || c.sessionId !== sessionId) return;
    if (this.d.session(sessionId)?.granted.has('view') !== true) await this.closeCurrent('view is no longer granted');
  }

  /** The session ended (any reason): its channel closes now. */
  async sessionEnded(sessionId: string): Promise<void> {
    if (this.current?.sessionId === sessionId) await this.closeCurrent('the session ended');
  }

  /** The screen gate is closing this session's screen (revoke view, end, expiry, relay loss, agent exit). */
  async gateClosing(sessionId: string): Promise<void> {
    if (this.current?.sessionId === sessionId) await this.closeCurrent('the screen gate closed the screen');
  }

  private async closeCurrent(reason: string, tell = true): Promise<void> {
    const c = this.current;
    if (!c) return;
    this.current = undefined;
    c.screen.close(); // synchronously: no byte passes after this line
    this.d.changed?.(c.sessionId);
    const msg = tell ? closeMessage(c, undefined, reason) : undefined;
    await this.d.audited.record('screen.closed', { sessionId: c.sessionId, channel: c.channel, reason }, msg, { sendOnFailure: true });
  }

  private async opened(sessionId: string, channel: number, s: ScreenSessionInfo, endpoint: string): Promise<boolean> {
    const msg: Message<'channel.opened'> = { v: 1, type: 'channel.opened', id: newMessageId(), sessionId, channel };
    const fields = { sessionId, channel, ticketId: s.ticketId, technicianId: s.technicianId, endpoint };
    this.d.changed?.(sessionId);
    if (await this.d.audited.record('screen.opened', fields, msg)) return true;
    const c = this.current;
    if (c?.channel === channel) await this.failed(c, 'audit-unavailable', 'the audit log could not be written');
    return false;
  }

  private async failed(c: OpenChannel, code: ErrorCode, detail: string): Promise<void> {
    if (this.current !== c) return;
    this.current = undefined;
    c.screen.close();
    this.d.changed?.(c.sessionId);
    const fields = { sessionId: c.sessionId, channel: c.channel, code, detail };
    await this.d.audited.record('screen.closed', fields, closeMessage(c, code, detail), { sendOnFailure: true });
  }

  private async refuse(msg: Message<'channel.open'>, code: ErrorCode, detail: string): Promise<void> {
    const fields = { sessionId: msg.sessionId, channel: msg.channel, code, detail };
    await this.d.audited.record('screen.refused', fields, closeMessage(msg, code, detail), { sendOnFailure: true });
  }
}

function closeMessage(c: { sessionId: string; channel: number }, code: ErrorCode | undefined, detail: string): Message<'channel.close'> {
  const { sessionId, channel } = c;
  const text = detail.replace(/[^\x20-\x7e]/g, ' ').trim().slice(0, 300) || 'closed';
  return { v: 1, type: 'channel.close', id: newMessageId(), sessionId, channel, ...(code ? { code } : {}), detail: text };
}
