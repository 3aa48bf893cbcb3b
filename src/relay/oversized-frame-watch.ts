// Reads WebSocket frame headers as the bytes arrive, ahead of ws's own parser,
// so a message announced over the size limit can be answered with the
// documented `too-large` error before ws sends close 1009. Only headers are
// parsed; payload bytes are counted and skipped, never copied.
import type { Socket } from 'node:net';

const enum Phase {
  Header,
  Payload,
}

export class OversizedFrameWatch {
  private phase = Phase.Header;
  private header = Buffer.alloc(0);
  private payloadLeft = 0;
  /** Bytes of the data message so far (fragments add up, as ws counts them). */
  private messageBytes = 0;
  private readonly onData = (chunk: Buffer) => this.feed(chunk);

  constructor(
    private readonly socket: Socket,
    private readonly maxMessageBytes: number,
    private readonly onOversized: () => void,
  ) {
    // Prepended: this runs before ws parses the same chunk.
    socket.prependListener('data', this.onData);
    socket.once('close', () => this.stop());
  }

  stop(): void {
    this.socket.removeListener('data', this.onData);
  }

  private feed(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.phase === Phase.Payload) {
        const take = Math.min(this.payloadLeft, chunk.length - at);
        this.payloadLeft -= take;
        at += take;
        if (this.payloadLeft === 0) this.phase = Phase.Header;
        continue;
      }
      // Headers are at most 14 bytes: keep only what a header needs across chunks.
      const need = Math.min(14, this.header.length + chunk.length - at);
      const before = this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(at, at + need - before)]);
      const parsed = parseHeader(this.header);
      if (parsed === null) {
        at += need - before;
        continue;
      }
      at += parsed.headerBytes - before;
      this.header = Buffer.alloc(0);
      if (parsed.opcode < 0x08) {
        this.messageBytes += parsed.payloadBytes;
        if (this.messageBytes > this.maxMessageBytes) {
          this.stop();
          return this.onOversized();
        }
        if (parsed.fin) this.messageBytes = 0;
      }
      this.payloadLeft = parsed.payloadBytes;
      if (this.payloadLeft > 0) this.phase = Phase.Payload;
    }
  }
}

interface FrameHeader {
  fin: boolean;
  opcode: number;
  headerBytes: number;
  payloadBytes: number;
}

/** RFC 6455 section 5.2; null until the whole header is there. */
function parseHeader(b: Buffer): FrameHeader | null {
  if (b.length < 2) return null;
  const fin = (b[0]! & 0x80) !== 0;
  const opcode = b[0]! & 0x0f;
  const masked = (b[1]! & 0x80) !== 0;
  const len7 = b[1]! & 0x7f;
  const extBytes = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
  const headerBytes = 2 + extBytes + (masked ? 4 : 0);
  if (b.length < headerBytes) return null;
  const payloadBytes = len7 === 126 ? b.readUInt16BE(2) : len7 === 127 ? Number(b.readBigUInt64BE(2)) : len7;
  return { fin, opcode, headerBytes, payloadBytes };
}
