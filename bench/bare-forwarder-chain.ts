// The physical floor of the screen channel row: the same topology with no Porchlight logic.
//   VNC server -TCP-> A (ws client, own process) -ws-> B (plain ws server, own process) -ws-> C -TCP-> viewer
// A cuts what it reads into MAX_CHANNEL_CHUNK binary frames (the channel's chunking), B forwards
// each frame to the other socket, C (in the bench process, where the technician CLI runs) writes
// it to the viewer; viewer bytes go back the same way. Backpressure is only the sockets' own
// (pause past a bound, resume on drain): no credit, no parsing, no checks.
import { fork, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { MAX_CHANNEL_CHUNK } from '../src/protocol/channel-frame.js';
import { MAX_FRAME_BYTES } from '../src/protocol/limits.js';

/** ws bytes a forwarder lets queue before it pauses its source (the relay's send cap is 1 MiB). */
const HIGH_WATER = 512 * 1024;

export interface ForwarderChain {
  /** Where the viewer connects (C's TCP port). */
  port: number;
  /** The chain's own processes, A then B, for their CPU time. */
  pids: [number, number];
  close(): void;
}

const openSocket = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

/** ws -> ws with the target's queue as the only bound. */
function forwardWs(from: WebSocket, to: WebSocket): void {
  from.on('message', (data: Buffer) => {
    to.send(data, { binary: true }, () => {
      if (from.isPaused && to.bufferedAmount < HIGH_WATER / 2) from.resume();
    });
    if (to.bufferedAmount > HIGH_WATER) from.pause();
  });
}

/** TCP -> ws in MAX_CHANNEL_CHUNK frames. */
function tcpToWs(socket: Socket, ws: WebSocket): void {
  socket.on('data', (chunk: Buffer) => {
    for (let at = 0; at < chunk.byteLength; at += MAX_CHANNEL_CHUNK) {
      ws.send(chunk.subarray(at, at + MAX_CHANNEL_CHUNK), { binary: true }, () => {
        if (socket.isPaused() && ws.bufferedAmount < HIGH_WATER / 2) socket.resume();
      });
    }
    if (ws.bufferedAmount > HIGH_WATER) socket.pause();
  });
}

/** ws -> TCP, pausing the ws while the socket is full. */
function wsToTcp(ws: WebSocket, socket: Socket): void {
  ws.on('message', (data: Buffer) => {
    if (!socket.write(data) && !ws.isPaused) {
      ws.pause();
      socket.once('drain', () => ws.resume());
    }
  });
}

function child(args: string[]): Promise<{ child: ChildProcess; said: string }> {
  const c = fork(fileURLToPath(import.meta.url), args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    c.once('message', (m) => resolve({ child: c, said: String(m) }));
    c.once('exit', (code) => reject(new Error(`forwarder ${args[0]} exited (${code})`)));
  });
}

/** B and A in their own processes, C here; the viewer's connection starts A's to the server. */
export async function startForwarderChain(serverPort: number): Promise<ForwarderChain> {
  const b = await child(['--forwarder-b']);
  const a = await child(['--forwarder-a', b.said, String(serverPort)]);
  const sockets = new Set<Socket>();
  const server: Server = createServer({ pauseOnConnect: true }, (viewer) => {
    sockets.add(viewer);
    viewer.setNoDelay(true);
    viewer.on('error', () => undefined);
    void openSocket(`${b.said}/c`).then((ws) => {
      // The viewer speaks only after the server's version, which comes once A is in: nothing is lost.
      wsToTcp(ws, viewer);
      tcpToWs(viewer, ws);
      viewer.resume();
      viewer.on('close', () => ws.close());
      a.child.send('go'); // A connects to the server and to B once C is there
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    pids: [a.child.pid!, b.child.pid!],
    close() {
      for (const s of sockets) s.destroy();
      server.close();
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
    },
  };
}

/** B: pairs the socket on /a with the one on /c and forwards frames both ways. */
async function serveB(): Promise<void> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  await new Promise((r) => wss.once('listening', r));
  const ends: { a?: WebSocket; c?: WebSocket } = {};
  wss.on('connection', (ws, req) => {
    ends[req.url === '/a' ? 'a' : 'c'] = ws;
    if (ends.a && ends.c) {
      forwardWs(ends.a, ends.c);
      forwardWs(ends.c, ends.a);
    }
  });
  process.send?.(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
}

/** A: on 'go', connects to the server and to B, then pumps both ways. */
function serveA(bUrl: string, serverPort: number): void {
  process.on('message', () => {
    const socket = connect({ host: '127.0.0.1', port: serverPort });
    socket.setNoDelay(true);
    socket.pause();
    void openSocket(`${bUrl}/a`).then((ws) => {
      tcpToWs(socket, ws);
      wsToTcp(ws, socket);
      socket.resume();
    });
  });
  process.send?.('ready');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [role, ...args] = process.argv.slice(2);
  if (role === '--forwarder-b') await serveB();
  else if (role === '--forwarder-a') serveA(args[0]!, Number(args[1]));
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}
