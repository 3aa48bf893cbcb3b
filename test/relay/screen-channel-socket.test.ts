// The console's screen channel as noVNC sees it (a WebSocket-like object):
// nothing flows before the agent opened it; received bytes reach noVNC as
// their own ArrayBuffer and their credit goes back; input stays within the
// credit window, and what waits for credit is bounded (noVNC cannot be
// paused): past the bound, or on an over-ack, the channel closes and says so.
import { describe, expect, it } from 'vitest';
import { CHANNEL_WINDOW_BYTES, frameCharge, MAX_CHANNEL_CHUNK, parseChannelFrame, type ChannelFrame } from '../../src/protocol/channel-frame.js';
import type { Message } from '../../src/protocol/messages.js';
import { MAX_WAITING_BYTES, ScreenChannelSocket } from '../../src/relay/console/screen-channel-socket.js';

function world() {
  const messages: Message[] = [];
  const frames: ChannelFrame[] = [];
  const broken: string[] = [];
  const socket = new ScreenChannelSocket(
    {
      send: (m) => messages.push(m),
      sendBinary: (b) => {
        const f = parseChannelFrame(b);
        if (!f.ok) throw new Error(f.detail);
        frames.push(f.frame);
      },
    },
    'S-1',
    7,
    (why) => broken.push(why),
  );
  const closed = new Promise<CloseEvent>((resolve) => (socket.onclose = resolve));
  const dataBytes = () => frames.filter((f) => f.kind === 'data').reduce((n, f) => n + frameCharge(f.payload.byteLength), 0);
  return { socket, messages, frames, broken, closed, dataBytes };
}

const data = (payload: Uint8Array): ChannelFrame => ({ kind: 'data', sessionId: 'S-1', channel: 7, payload });

describe('ScreenChannelSocket', () => {
  it('asks for the channel; sends nothing before the agent opened it and holds what arrived early', () => {
    const w = world();
    expect(w.messages).toMatchObject([{ type: 'channel.open', sessionId: 'S-1', channel: 7, kind: 'screen' }]);
    const got: ArrayBuffer[] = [];
    w.socket.onmessage = (e) => got.push(e.data);
    w.socket.send(new Uint8Array([1, 2, 3]));
    w.socket.receive(data(new Uint8Array([4])));
    expect(w.frames).toEqual([]);
    expect(got).toEqual([]);
    let opened = 0;
    w.socket.onopen = () => opened++;
    w.socket.opened();
    expect([opened, w.socket.readyState]).toEqual([1, 1]);
    // Data that overtook channel.opened is handed over once open, in order.
    expect(got.map((b) => [...new Uint8Array(b)])).toEqual([[4]]);
  });

  it('hands noVNC a copy of each payload and gives the credit back in one ack per burst', async () => {
    const w = world();
    const got: Uint8Array[] = [];
    w.socket.onmessage = (e) => got.push(new Uint8Array(e.data));
    w.socket.opened();
    const a = new Uint8Array([1, 2, 3]);
    w.socket.receive(data(a));
    w.socket.receive(data(new Uint8Array(2000)));
    a.fill(9); // the relay's buffer is reused: noVNC keeps what arrived
    expect(got.map((g) => g.byteLength)).toEqual([3, 2000]);
    expect([...got[0]!]).toEqual([1, 2, 3]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(w.frames).toEqual([{ kind: 'ack', sessionId: 'S-1', channel: 7, bytes: frameCharge(3) + frameCharge(2000) }]);
  });

  it('copies what noVNC sends (it reuses its buffer) and keeps within the credit window until acks come', () => {
    const w = world();
    w.socket.opened();
    const buf = new Uint8Array(MAX_CHANNEL_CHUNK);
    const chunks = CHANNEL_WINDOW_BYTES / MAX_CHANNEL_CHUNK + 3;
    for (let i = 1; i <= chunks; i++) w.socket.send(buf.fill(i));
    expect(w.dataBytes()).toBe(CHANNEL_WINDOW_BYTES);
    w.socket.receive({ kind: 'ack', sessionId: 'S-1', channel: 7, bytes: 2 * MAX_CHANNEL_CHUNK });
    expect(w.dataBytes()).toBe(CHANNEL_WINDOW_BYTES + 2 * MAX_CHANNEL_CHUNK);
    // Each frame carries what noVNC had in its buffer when it sent, also the ones that waited for credit.
    const firstBytes = w.frames.map((f) => (f.kind === 'data' ? f.payload[0] : -1));
    expect(firstBytes).toEqual(Array.from({ length: chunks - 1 }, (_, i) => i + 1));
    expect(w.broken).toEqual([]);
  });

  it('closes the channel, tells the relay and says why when input waits past its bound (the device takes none)', async () => {
    const w = world();
    w.socket.opened();
    const event = new Uint8Array(6); // a PointerEvent
    let sent = 0;
    while (w.socket.readyState === 1 && sent < 10 * (CHANNEL_WINDOW_BYTES + MAX_WAITING_BYTES)) {
      w.socket.send(event);
      sent += event.byteLength;
    }
    expect(w.broken).toEqual(['the device stopped taking input']);
    expect(w.messages.at(-1)).toMatchObject({ type: 'channel.close', sessionId: 'S-1', channel: 7 });
    expect((await w.closed).code).toBe(1000);
    const before = w.frames.length;
    w.socket.send(event);
    expect(w.frames.length).toBe(before);
  });

  it('closes the channel on an ack for more than it sent', async () => {
    const w = world();
    w.socket.opened();
    w.socket.send(new Uint8Array(100));
    w.socket.receive({ kind: 'ack', sessionId: 'S-1', channel: 7, bytes: frameCharge(100) + 1 });
    expect(w.broken).toEqual(['the other side acknowledged more than it was sent']);
    expect(w.messages.at(-1)).toMatchObject({ type: 'channel.close' });
    await w.closed;
  });

  it('closed by the relay or the agent: noVNC hears of it, nothing is sent back', async () => {
    const w = world();
    w.socket.opened();
    w.socket.closedByPeer('view is no longer granted');
    expect((await w.closed).reason).toBe('view is no longer granted');
    w.socket.close();
    expect(w.messages.map((m) => m.type)).toEqual(['channel.open']);
  });
});
