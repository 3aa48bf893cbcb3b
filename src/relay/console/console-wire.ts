// The console's one connection to the relay, as the live tools see it: text
// frames out, binary channel frames both ways, and waits for one answer. A
// frame sent while no socket is open is dropped (the page then says so).
import { encodeFrame } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import type { ConsoleWire } from './console-file-sender.js';
import { FrameWaiters } from './frame-waiters.js';

export class SocketWire implements ConsoleWire {
  socket: WebSocket | null = null;
  readonly waiters = new FrameWaiters();
  private readonly binaryListeners = new Set<(bytes: Uint8Array) => void>();

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  send(msg: Message): void {
    if (this.isOpen) this.socket!.send(encodeFrame(msg));
  }

  sendBinary(bytes: Uint8Array): void {
    if (this.isOpen) this.socket!.send(bytes as Uint8Array<ArrayBuffer>);
  }

  onBinary(listener: (bytes: Uint8Array) => void): () => void {
    this.binaryListeners.add(listener);
    return () => this.binaryListeners.delete(listener);
  }

  deliverBinary(bytes: Uint8Array): void {
    for (const listener of [...this.binaryListeners]) listener(bytes);
  }
}
