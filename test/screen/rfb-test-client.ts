// A small RFB 3.8 viewer for tests: security None, 32-bit true colour, Raw
// encoding only; reads one full framebuffer update and sends pointer/key events.
import { connect, type Socket } from 'node:net';
import { within } from '../support/bounded-wait.js';

export interface Framebuffer {
  width: number;
  height: number;
  /** 0xRRGGBB at (x, y). */
  pixel(x: number, y: number): number;
}

export class RfbTestClient {
  private buffered = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  closed = false;
  /** Security types the server offered (RFB 3.8). */
  securityTypes: number[] = [];
  /** Every byte received so far (tests look for what must never arrive, such as a password). */
  received = Buffer.alloc(0);
  width = 0;
  height = 0;
  private fb: Buffer = Buffer.alloc(0);

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      this.received = Buffer.concat([this.received, d]);
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<RfbTestClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await within(new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject)), `a TCP connect to 127.0.0.1:${port}`, () => 'nothing');
    return new RfbTestClient(socket);
  }

  /** Version, security None, ClientInit, ServerInit, our pixel format and encodings. */
  async handshake(): Promise<void> {
    const version = await this.read(12);
    if (version.toString('latin1') !== 'RFB 003.008\n') throw new Error(`server version ${JSON.stringify(version.toString('latin1'))}`);
    this.socket.write('RFB 003.008\n');
    const count = (await this.read(1))[0]!;
    const types = [...(await this.read(count))];
    this.securityTypes = types;
    if (!types.includes(1)) throw new Error(`no security None in [${types.join(', ')}]`);
    this.socket.write(Buffer.from([1]));
    const result = (await this.read(4)).readUInt32BE(0);
    if (result !== 0) throw new Error(`security result ${result}`);
    this.socket.write(Buffer.from([1]));
    const init = await this.read(24);
    this.width = init.readUInt16BE(0);
    this.height = init.readUInt16BE(2);
    await this.read(init.readUInt32BE(20));
    this.fb = Buffer.alloc(this.width * this.height * 4);
    const format = Buffer.alloc(20);
    format[0] = 0;
    Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0]).copy(format, 4); // bpp depth BE truecolour max rgb shifts
    format.writeUInt16BE(255, 8);
    format.writeUInt16BE(255, 10);
    format.writeUInt16BE(255, 12);
    format[14] = 16;
    format[15] = 8;
    format[16] = 0;
    const encodings = Buffer.alloc(8);
    encodings[0] = 2;
    encodings.writeUInt16BE(1, 2);
    encodings.writeInt32BE(0, 4); // Raw
    this.socket.write(Buffer.concat([format, encodings]));
  }

  /** Ask for the whole screen and read updates until one arrives. */
  async framebuffer(): Promise<Framebuffer> {
    const req = Buffer.alloc(10);
    req[0] = 3;
    req.writeUInt16BE(this.width, 6);
    req.writeUInt16BE(this.height, 8);
    this.socket.write(req);
    for (;;) {
      const type = (await this.read(1))[0]!;
      if (type === 0) break;
      if (type === 2) continue; // Bell
      if (type === 3) {
        const head = await this.read(7);
        await this.read(head.readUInt32BE(3));
        continue;
      }
      throw new Error(`unexpected server message ${type}`);
    }
    const head = await this.read(3);
    const rects = head.readUInt16BE(1);
    for (let i = 0; i < rects; i++) {
      const r = await this.read(12);
      const [x, y, w, h, enc] = [r.readUInt16BE(0), r.readUInt16BE(2), r.readUInt16BE(4), r.readUInt16BE(6), r.readInt32BE(8)];
      if (enc !== 0) throw new Error(`encoding ${enc} though only Raw was asked for`);
      const data = await this.read(w * h * 4);
      for (let row = 0; row < h; row++) data.copy(this.fb, ((y + row) * this.width + x) * 4, row * w * 4, (row + 1) * w * 4);
    }
    const { width, height, fb } = this;
    return { width, height, pixel: (x, y) => fb.readUInt32LE((y * width + x) * 4) & 0xffffff };
  }

  pointer(x: number, y: number, buttons = 0): void {
    const m = Buffer.alloc(6);
    m[0] = 5;
    m[1] = buttons;
    m.writeUInt16BE(x, 2);
    m.writeUInt16BE(y, 4);
    this.socket.write(m);
  }

  /** Resolves once the socket is closed; rejects after `ms`. */
  closedWithin(ms: number): Promise<void> {
    return within(
      new Promise<void>((resolve) => {
        if (this.closed) return resolve();
        this.socket.once('close', () => resolve());
      }),
      'the viewer connection to close',
      () => `open=${!this.closed}`,
      { ms },
    );
  }

  close(): void {
    this.socket.destroy();
  }

  private async read(n: number): Promise<Buffer> {
    const wait = within(
      (async () => {
        while (this.buffered.byteLength < n) {
          if (this.closed) throw new Error(`connection closed while waiting for ${n} bytes`);
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
      })(),
      `${n} bytes from the screen port`,
      () => `${this.buffered.byteLength} bytes`,
    );
    await wait;
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return out;
  }
}
