// A TCP socket's (or file's) bytes into a data channel, flow-controlled by credit: at most
// the window is unacknowledged; past it the socket is paused (TCP pushes back
// on the sender) until acks come. Used by the agent (VNC server -> viewer)
// and the CLI (viewer -> agent). Memory held: one socket chunk at most.
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { CreditWindow, frameCharge } from '../../protocol/channel-frame.js';
import { ChannelSender } from '../../protocol/channel-sender.js';

export class SocketToChannel {
  private readonly sender: ChannelSender;
  private readonly onData = (chunk: Buffer) => this.sender.push(chunk);

  constructor(
    private readonly socket: Readable,
    sendData: (payload: Uint8Array) => void,
    window: CreditWindow = new CreditWindow(),
  ) {
    this.sender = new ChannelSender(sendData, (backlogged) => (backlogged ? socket.pause() : socket.resume()), window);
  }

  /** Start reading; `first` is what an earlier stage already read from the socket. */
  start(first?: Buffer): void {
    if (first && first.byteLength > 0) this.sender.push(first);
    this.socket.on('data', this.onData);
    if (this.sender.waiting === 0) this.socket.resume();
  }

  /** Credit back from the receiver; false when it acknowledges more than was sent (a violation). */
  ack(bytes: number): boolean {
    return this.sender.ack(bytes);
  }

  stop(): void {
    this.sender.stop();
    this.socket.off('data', this.onData);
  }
}

const corked = new WeakSet<Socket>();

/**
 * Write channel bytes to a socket; credit goes back once the socket has taken them.
 * Frames that arrive together (one WebSocket read carries several) leave in one
 * writev: the socket is corked until the current tick's frames are written.
 */
export function writeThenAck(socket: Socket, payload: Uint8Array, ack: (bytes: number) => void): void {
  const charge = frameCharge(payload.byteLength);
  if (socket.destroyed) return;
  if (!corked.has(socket)) {
    corked.add(socket);
    socket.cork();
    process.nextTick(() => {
      corked.delete(socket);
      socket.uncork();
    });
  }
  socket.write(payload, (err) => {
    if (!err) ack(charge);
  });
}
