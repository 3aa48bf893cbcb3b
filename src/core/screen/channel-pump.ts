// A TCP socket's (or file's) bytes into a data channel, flow-controlled by credit: at most
// the window is unacknowledged; past it the socket is paused (TCP pushes back
// on the sender) until acks come. Used by the agent (VNC server -> viewer)
// and the CLI (viewer -> agent). Memory held: one socket chunk at most.
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { CreditWindow, frameCharge, MAX_CHANNEL_CHUNK } from '../../protocol/channel-frame.js';

export class SocketToChannel {
  private pending: Buffer[] = [];
  private stopped = false;
  private readonly onData = (chunk: Buffer) => this.queue(chunk);

  constructor(
    private readonly socket: Readable,
    private readonly sendData: (payload: Uint8Array) => void,
    private readonly window: CreditWindow = new CreditWindow(),
  ) {}

  /** Start reading; `first` is what an earlier stage already read from the socket. */
  start(first?: Buffer): void {
    if (first && first.byteLength > 0) this.queue(first);
    this.socket.on('data', this.onData);
    if (this.pending.length === 0) this.socket.resume();
  }

  /** Credit back from the receiver; false when it acknowledges more than was sent (a violation). */
  ack(bytes: number): boolean {
    if (!this.window.release(bytes)) return false;
    this.flush();
    return true;
  }

  stop(): void {
    this.stopped = true;
    this.pending = [];
    this.socket.off('data', this.onData);
  }

  private queue(chunk: Buffer): void {
    if (this.stopped) return;
    for (let at = 0; at < chunk.byteLength; at += MAX_CHANNEL_CHUNK) this.pending.push(chunk.subarray(at, at + MAX_CHANNEL_CHUNK));
    this.flush();
  }

  private flush(): void {
    while (!this.stopped && this.pending.length > 0 && this.window.fits(this.pending[0]!.byteLength)) {
      const next = this.pending.shift()!;
      this.window.charge(next.byteLength);
      this.sendData(next);
    }
    if (this.stopped) return;
    if (this.pending.length > 0) this.socket.pause();
    else this.socket.resume();
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
