// Exact-length reads over pushed chunks, for the RFB handshakes. Bounded:
// push() refuses more than `maxBuffered` unread bytes (the peer is told by
// the caller closing the channel), and a failed reader fails every read.

export class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private waiting: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(private readonly maxBuffered: number) {}

  /** False when the bytes would pass the bound (nothing is kept then). */
  push(chunk: Uint8Array): boolean {
    if (this.failure) return false;
    if (this.buffered + chunk.byteLength > this.maxBuffered) return false;
    this.chunks.push(Buffer.from(chunk));
    this.buffered += chunk.byteLength;
    this.settle();
    return true;
  }

  read(n: number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiting) return Promise.reject(new Error('one read at a time'));
    return new Promise((resolve, reject) => {
      this.waiting = { n, resolve, reject };
      this.settle();
    });
  }

  async readU32(): Promise<number> {
    return (await this.read(4)).readUInt32BE(0);
  }

  async readU8(): Promise<number> {
    return (await this.read(1))[0]!;
  }

  /** Everything unread, handed over to the next stage. */
  takeRest(): Buffer {
    const rest = Buffer.concat(this.chunks);
    this.chunks = [];
    this.buffered = 0;
    return rest;
  }

  fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(this.failure);
  }

  private settle(): void {
    const w = this.waiting;
    if (!w || this.buffered < w.n) return;
    this.waiting = undefined;
    const all = Buffer.concat(this.chunks);
    this.chunks = all.byteLength > w.n ? [all.subarray(w.n)] : [];
    this.buffered = all.byteLength - w.n;
    w.resolve(all.subarray(0, w.n));
  }
}
