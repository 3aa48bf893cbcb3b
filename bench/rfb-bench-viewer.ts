// The viewer side of the screen benchmarks: an RFB 3.8 client (security None)
// that asks the tiny server for a flood or a Bell and times the answer.
import { connect, type Socket } from 'node:net';

export class RfbBenchViewer {
  private buffered = 0;
  private pending = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private counting = false;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      if (this.counting) this.buffered += d.byteLength;
      else this.pending = Buffer.concat([this.pending, d]);
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<RfbBenchViewer> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const v = new RfbBenchViewer(socket);
    await v.handshake();
    return v;
  }

  private async handshake(): Promise<void> {
    await this.read(12);
    this.socket.write('RFB 003.008\n');
    const count = (await this.read(1))[0]!;
    await this.read(count);
    this.socket.write(Buffer.from([1]));
    await this.read(4);
    this.socket.write(Buffer.from([1]));
    const head = await this.read(24);
    await this.read(head.readUInt32BE(20));
    this.counting = true;
  }

  /** Ask for `mib` MiB and resolve with the seconds until the last byte arrived. */
  async flood(mib: number): Promise<number> {
    const want = mib * 1024 * 1024;
    this.buffered = 0;
    const start = performance.now();
    this.socket.write(request(mib, 0xffff));
    await this.until(() => this.buffered >= want);
    return (performance.now() - start) / 1000;
  }

  /** One small round trip (10-byte request, 1-byte Bell), in ms. */
  async ping(): Promise<number> {
    const before = this.buffered;
    const start = performance.now();
    this.socket.write(request(0, 1));
    await this.until(() => this.buffered > before);
    return performance.now() - start;
  }

  close(): void {
    this.socket.destroy();
  }

  private async read(n: number): Promise<Buffer> {
    await this.until(() => this.pending.byteLength >= n);
    const out = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    return out;
  }

  private async until(done: () => boolean): Promise<void> {
    while (!done()) {
      if (this.socket.destroyed) throw new Error('the viewer connection closed');
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

function request(x: number, w: number): Buffer {
  const b = Buffer.alloc(10);
  b[0] = 3;
  b[1] = 1;
  b.writeUInt16BE(x, 2);
  b.writeUInt16BE(w, 6);
  b.writeUInt16BE(1, 8);
  return b;
}
