// A man in the middle on plain ws that forwards every frame both ways and may
// rewrite the text frames going to the client: a compromised relay or a
// network attacker, as seen from the technician's side.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

export interface RewritingProxy {
  readonly url: string;
  /** How many frames `rewrite` changed. */
  readonly rewritten: number;
  close(): Promise<void>;
}

/**
 * `rewrite` gets each upstream text frame; what it returns goes to the client instead. Plain HTTP requests (the
 * relay's console page) are passed through unchanged, so a browser can load the page through the proxy.
 */
export async function startRewritingProxy(upstreamUrl: string, rewrite: (text: string) => string): Promise<RewritingProxy> {
  const upstream = new URL(upstreamUrl.replace(/^ws/, 'http'));
  const http = createServer((req, res) => {
    const up = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  const server = new WebSocketServer({ server: http });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
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
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`,
    get rewritten() {
      return rewritten;
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((r) => server.close(() => r()));
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
