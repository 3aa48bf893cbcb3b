// A tiny RFB 3.8 server for the screen benchmarks (security None, a 4x4
// ServerInit) with two bench-only answers to FramebufferUpdateRequest:
// width 1 -> one Bell byte (a small round trip), width 0xffff -> x MiB of
// screen-like bytes written as fast as the socket takes them (a flood).
import { createServer, type Server, type Socket } from 'node:net';

export interface TinyRfbServer {
  port: number;
  close(): Promise<void>;
}

const MIB = 1024 * 1024;
const CHUNK = Buffer.alloc(256 * 1024, 0x5a);

export async function startTinyRfbServer(): Promise<TinyRfbServer> {
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined);
    socket.setNoDelay(true);
    serve(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function serve(socket: Socket): void {
  let stage = 0;
  let buf = Buffer.alloc(0);
  socket.write('RFB 003.008\n');
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      if (stage === 0 && buf.byteLength >= 12) {
        [stage, buf] = [1, buf.subarray(12)];
        socket.write(Buffer.from([1, 1]));
      } else if (stage === 1 && buf.byteLength >= 1) {
        [stage, buf] = [2, buf.subarray(1)];
        socket.write(Buffer.from([0, 0, 0, 0]));
      } else if (stage === 2 && buf.byteLength >= 1) {
        [stage, buf] = [3, buf.subarray(1)];
        const init = Buffer.alloc(28);
        init.writeUInt16BE(4, 0);
        init.writeUInt16BE(4, 2);
        Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0]).copy(init, 4);
        init.writeUInt32BE(4, 20);
        init.write('tiny', 24);
        socket.write(init);
      } else if (stage === 3 && buf.byteLength >= 10 && buf[0] === 3) {
        const x = buf.readUInt16BE(2);
        const w = buf.readUInt16BE(6);
        buf = buf.subarray(10);
        if (w === 0xffff) flood(socket, x * MIB);
        else socket.write(Buffer.from([2])); // Bell
      } else {
        return;
      }
    }
  });
}

/** Write `bytes` under the socket's own backpressure (drain), never buffering the lot. */
function flood(socket: Socket, bytes: number): void {
  let left = bytes;
  const more = () => {
    while (left > 0) {
      const n = Math.min(left, CHUNK.byteLength);
      left -= n;
      if (!socket.write(n === CHUNK.byteLength ? CHUNK : CHUNK.subarray(0, n))) return void socket.once('drain', more);
    }
  };
  more();
}
