// One screen channel of a session, on the console's technician WebSocket,
// presented as the WebSocket-like object noVNC's RFB accepts in place of a URL
// (core/websock.js: binaryType, protocol, readyState, on*, send, close). Flow
// control is the CLI's (docs/protocol.md "Data channel"): ChannelSender keeps
// at most the credit window unacknowledged towards the agent, and AckBatcher
// gives credit back once noVNC has taken the bytes. noVNC cannot be paused,
// so what waits for credit is bounded: past it the channel closes.
import { AckBatcher } from '../../protocol/channel-ack-batcher.js';
import { CHANNEL_WINDOW_BYTES, encodeChannelFrame, frameCharge, type ChannelFrame } from '../../protocol/channel-frame.js';
import { ChannelSender } from '../../protocol/channel-sender.js';
import { newMessageId } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';

/** How the console's WebSocket to the relay carries the channel. */
export interface ChannelWire {
  send(msg: Message): void;
  sendBinary(bytes: Uint8Array<ArrayBuffer>): void;
}

/** What noVNC's Websock.attach needs of a channel in place of a WebSocket (core/websock.js in @novnc/novnc 1.7). */
export interface RawChannel {
  binaryType: string;
  protocol: string;
  readyState: number;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: { data: ArrayBuffer }) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  send(data: Uint8Array): void;
  close(): void;
}

/** Viewer bytes that may wait for credit. Input is a few bytes per event: a working channel never gets near it. */
export const MAX_WAITING_BYTES = CHANNEL_WINDOW_BYTES;

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

export class ScreenChannelSocket implements RawChannel {
  binaryType = 'arraybuffer';
  protocol = '';
  readyState = CONNECTING;
  onopen: RawChannel['onopen'] = null;
  onmessage: RawChannel['onmessage'] = null;
  onclose: RawChannel['onclose'] = null;
  onerror: RawChannel['onerror'] = null;
  private readonly sender: ChannelSender;
  private readonly acks: AckBatcher;
  /** Data that overtook channel.opened (binary frames are not queued behind signature checks); at most a window. */
  private early: ChannelFrame[] = [];
  private earlyBytes = 0;

  /** Asks the relay to open channel `channel` of the session; `opened` follows from the agent. */
  constructor(
    private readonly wire: ChannelWire,
    readonly sessionId: string,
    readonly channel: number,
    /** The channel closed on this side because the other broke its rules or stopped taking input. */
    private readonly onBroken: (why: string) => void,
  ) {
    this.sender = new ChannelSender((payload) => wire.sendBinary(encodeChannelFrame({ kind: 'data', sessionId, channel, payload })));
    this.acks = new AckBatcher((bytes) => wire.sendBinary(encodeChannelFrame({ kind: 'ack', sessionId, channel, bytes })));
    wire.send({ v: 1, type: 'channel.open', id: newMessageId(), sessionId, channel, kind: 'screen' });
  }

  /** channel.opened from the agent: the RFB handshake may start. */
  opened(): void {
    if (this.readyState !== CONNECTING) return;
    this.readyState = OPEN;
    this.onopen?.(new Event('open'));
    const early = this.early;
    this.early = [];
    for (const frame of early) this.receive(frame);
  }

  /** A binary frame of this channel from the relay. */
  receive(frame: ChannelFrame): void {
    if (this.readyState === CONNECTING && frame.kind === 'data') {
      this.earlyBytes += frameCharge(frame.payload.byteLength);
      if (this.earlyBytes > CHANNEL_WINDOW_BYTES) return this.breakOff('the device sent more than its window before the channel opened');
      this.early.push({ ...frame, payload: frame.payload.slice() });
      return;
    }
    if (this.readyState !== OPEN) return;
    if (frame.kind === 'ack') {
      if (!this.sender.ack(frame.bytes)) this.breakOff('the other side acknowledged more than it was sent');
      return;
    }
    // noVNC copies the bytes into its receive queue and handles them before this returns.
    this.onmessage?.({ data: frame.payload.slice().buffer });
    this.acks.add(frameCharge(frame.payload.byteLength));
  }

  /** noVNC's RFB messages: its buffer is reused, so the bytes are copied. */
  send(data: Uint8Array): void {
    if (this.readyState !== OPEN) return;
    this.sender.push(data.slice());
    if (this.sender.waiting > MAX_WAITING_BYTES) this.breakOff('the device stopped taking input');
  }

  /** noVNC (or the console) closes the channel: the relay and the agent are told. */
  close(): void {
    if (this.readyState === CLOSED) return;
    this.wire.send({ v: 1, type: 'channel.close', id: newMessageId(), sessionId: this.sessionId, channel: this.channel });
    this.finish('closed by the technician');
  }

  /** The relay or the agent closed it (channel.close, view revoked, session over): nothing to tell them. */
  closedByPeer(reason: string): void {
    if (this.readyState === CLOSED) return;
    this.finish(reason);
  }

  private breakOff(why: string): void {
    this.close();
    this.onBroken(why);
  }

  /** Closed at once; noVNC hears of it on the next turn, as from a WebSocket. */
  private finish(reason: string): void {
    this.readyState = CLOSED;
    this.early = [];
    this.sender.stop();
    this.acks.stop();
    setTimeout(() => this.onclose?.(new CloseEvent('close', { code: 1000, reason, wasClean: true })), 0);
  }
}
