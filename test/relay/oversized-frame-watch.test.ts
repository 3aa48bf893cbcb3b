// The frame-header watch on a real TCP socket pair: valid traffic cut into odd
// chunks never trips it; a message over the limit does, whether announced in
// one frame or summed over fragments.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { OversizedFrameWatch } from '../../src/relay/oversized-frame-watch.js';

let server: Server | undefined;
let client: Socket | undefined;
afterEach(async () => {
  client?.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A masked client frame (RFC 6455) with `payload`. */
function frame(opcode: number, fin: boolean, payload: Buffer): Buffer {
  const len = payload.length;
  const ext = len > 0xffff ? 8 : len > 125 ? 2 : 0;
  const head = Buffer.alloc(2 + ext + 4);
  head[0] = (fin ? 0x80 : 0) | opcode;
  head[1] = 0x80 | (ext === 8 ? 127 : ext === 2 ? 126 : len);
  if (ext === 2) head.writeUInt16BE(len, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
  return Buffer.concat([head, payload]); // mask key 0: payload stays as is
}

/** Send `bytes` in chunks of the given sizes (cycled); resolve whether the watch fired, once all arrived. */
async function watchSees(bytes: Buffer, chunkSizes: number[], limit: number): Promise<boolean> {
  let fired = false;
  let received = 0;
  const done = new Promise<void>((resolve) => {
    server = createServer((s) => {
      new OversizedFrameWatch(s, limit, () => (fired = true));
      s.on('data', (d: Buffer) => {
        received += d.length;
        if (received >= bytes.length) resolve();
      });
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  const port = (server!.address() as { port: number }).port;
  client = connect(port, '127.0.0.1');
  await new Promise<void>((r) => client!.once('connect', () => r()));
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = chunkSizes[i % chunkSizes.length]!;
    client.write(bytes.subarray(at, at + size));
    at += size;
  }
  await done;
  return fired;
}

describe('OversizedFrameWatch', () => {
  const limit = 1000;

  it('stays quiet on valid frames, pings and fragments, however they are cut', async () => {
    const traffic = Buffer.concat([
      frame(0x1, true, Buffer.alloc(1000, 97)),
      frame(0x9, true, Buffer.alloc(10)),
      frame(0x1, false, Buffer.alloc(400)),
      frame(0x9, true, Buffer.alloc(0)),
      frame(0x0, true, Buffer.alloc(600)),
      frame(0x2, true, Buffer.alloc(126)),
      frame(0x1, true, Buffer.alloc(5)),
    ]);
    expect(await watchSees(traffic, [1, 3, 7, 13, 2, 500], limit)).toBe(false);
  });

  it('fires on one frame announced over the limit', async () => {
    expect(await watchSees(frame(0x1, true, Buffer.alloc(1001)), [2, 5, 100], limit)).toBe(true);
  });

  it('fires when fragments add up past the limit', async () => {
    const traffic = Buffer.concat([frame(0x1, false, Buffer.alloc(600)), frame(0x0, true, Buffer.alloc(401))]);
    expect(await watchSees(traffic, [9], limit)).toBe(true);
  });
});
