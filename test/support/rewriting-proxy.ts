// A man in the middle on plain ws that forwards every frame both ways and may
// rewrite the text frames going to the client: a compromised relay or a
// network attacker, as seen from the technician's side.
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

export interface RewritingProxy {
  readonly url: string;
  /** How many frames `rewrite` changed. */
  readonly rewritten: number;
  close(): Promise<void>;
}

/** `rewrite` gets each upstream text frame; what it returns goes to the client instead. */
export async function startRewritingProxy(upstreamUrl: string, rewrite: (text: string) => string): Promise<RewritingProxy> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const sockets = new Set<WebSocket>();
  let rewritten = 0;
  server.on('connection', (down) => {
    const up = new WebSocket(upstreamUrl);
    sockets.add(down).add(up);
    const pending: string[] = [];
    down.on('message', (d) => {
      const text = d.toString('utf8');
      if (up.readyState === WebSocket.OPEN) up.send(text);
      else pending.push(text);
    });
    up.on('open', () => pending.splice(0).forEach((t) => up.send(t)));
    up.on('message', (d) => {
      const text = d.toString('utf8');
      const out = rewrite(text);
      if (out !== text) rewritten++;
      if (down.readyState === WebSocket.OPEN) down.send(out);
    });
    const end = (ws: WebSocket) => (ws.readyState === WebSocket.OPEN ? ws.close(1000) : ws.terminate());
    up.on('close', () => end(down));
    down.on('close', () => end(up));
    up.on('error', () => undefined);
    down.on('error', () => undefined);
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get rewritten() {
      return rewritten;
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
