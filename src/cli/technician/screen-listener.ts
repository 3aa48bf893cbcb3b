// `request --screen-port`: while `view` is granted, a local port on 127.0.0.1
// where one VNC viewer at a time reaches the device's screen through the
// relay. Each viewer connection is a new channel; bytes flow under credit
// both ways (viewer paused past the window, acks once its socket took them).
// When view ends the port closes and the viewer is dropped.
import { createServer, type Server, type Socket } from 'node:net';
import { encodeChannelFrame, parseChannelFrame } from '../../protocol/channel-frame.js';
import { newMessageId } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import { SocketToChannel, writeThenAck } from '../../core/screen/channel-pump.js';
import { AckBatcher } from '../../protocol/channel-ack-batcher.js';
import type { TechnicianClient } from './technician-client.js';

export interface ScreenListenerOptions {
  client: TechnicianClient;
  sessionId: string;
  /** 0: pick a free port. */
  port: number;
  onListening: (port: number) => void;
  onNote: (kind: string, text: string) => void;
}

interface Viewer {
  socket: Socket;
  channel: number;
  acks: AckBatcher;
  pump?: SocketToChannel;
}

export class ScreenListener {
  private server: Server | undefined;
  private viewer: Viewer | undefined;
  private nextChannel = 1;

  constructor(private readonly o: ScreenListenerOptions) {
    o.client.onBinary((frame) => this.onBinary(frame));
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Follow the session's grants: listen while `view` is in them. */
  follow(granted: readonly string[]): void {
    if (granted.includes('view')) this.start();
    else this.stop();
  }

  start(): void {
    if (this.server) return;
    const server = createServer({ pauseOnConnect: true }, (socket) => this.accept(socket));
    this.server = server;
    server.on('error', (err) => {
      this.o.onNote('screen-error', `cannot listen for a VNC viewer on 127.0.0.1:${this.o.port}: ${err.message}`);
      this.stop();
    });
    server.listen(this.o.port, '127.0.0.1', () => {
      const address = server.address();
      if (this.server === server && address && typeof address === 'object') this.o.onListening(address.port);
    });
  }

  stop(): void {
    const server = this.server;
    this.server = undefined;
    server?.close();
    // The relay and the agent close the channel themselves when view ends.
    this.dropViewer(false);
  }

  /** channel.opened / channel.close from the relay. */
  handle(msg: Message): void {
    const v = this.viewer;
    if (!v || (msg.type !== 'channel.opened' && msg.type !== 'channel.close') || msg.channel !== v.channel) return;
    if (msg.type === 'channel.close') return this.dropViewer(false);
    const { sessionId } = this.o;
    v.pump = new SocketToChannel(v.socket, (payload) => this.o.client.sendBinary(encodeChannelFrame({ kind: 'data', sessionId, channel: v.channel, payload })));
    v.pump.start();
  }

  private accept(socket: Socket): void {
    if (this.viewer || !this.server) {
      socket.destroy(); // one viewer at a time
      return;
    }
    socket.setNoDelay(true);
    const channel = this.nextChannel++;
    const { sessionId } = this.o;
    const acks = new AckBatcher((bytes) => this.o.client.sendBinary(encodeChannelFrame({ kind: 'ack', sessionId, channel, bytes })));
    const v: Viewer = { socket, channel, acks };
    this.viewer = v;
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.viewer === v) this.dropViewer(true);
    });
    const open: Message<'channel.open'> = { v: 1, type: 'channel.open', id: newMessageId(), sessionId: this.o.sessionId, channel: v.channel, kind: 'screen' };
    this.o.client.send(open);
  }

  private onBinary(frame: Uint8Array): void {
    const v = this.viewer;
    const parsed = parseChannelFrame(frame);
    if (!v || !parsed.ok || parsed.frame.sessionId !== this.o.sessionId || parsed.frame.channel !== v.channel) return;
    const f = parsed.frame;
    if (f.kind === 'data') {
      writeThenAck(v.socket, f.payload, (bytes) => v.acks.add(bytes));
    } else if (!v.pump?.ack(f.bytes)) {
      this.dropViewer(true);
    }
  }

  /** `tell`: the agent has not closed it itself, so say so. */
  private dropViewer(tell: boolean): void {
    const v = this.viewer;
    if (!v) return;
    this.viewer = undefined;
    v.acks.stop();
    v.pump?.stop();
    v.socket.destroy();
    if (tell) this.o.client.send({ v: 1, type: 'channel.close', id: newMessageId(), sessionId: this.o.sessionId, channel: v.channel });
  }
}
