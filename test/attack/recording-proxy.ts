// A recording man in the middle on plain ws: forwards an agent's connection to
// the relay frame by frame (subprotocol included) and keeps every frame the
// agent sent, as an attacker on the path would.
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { AGENT_SUBPROTOCOL } from '../../src/protocol/index.js';

export interface RecordingProxy {
  readonly url: string;
  /** Text frames the agent sent, in order, over every connection. */
  readonly fromAgent: string[];
  close(): Promise<void>;
}

export async function startRecordingProxy(upstreamUrl: () => string): Promise<RecordingProxy> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (p) => (p.has(AGENT_SUBPROTOCOL) ? AGENT_SUBPROTOCOL : false) });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const fromAgent: string[] = [];
  const sockets = new Set<WebSocket>();
  server.on('connection', (down) => {
    const up = new WebSocket(upstreamUrl(), down.protocol ? [down.protocol] : []);
    sockets.add(down).add(up);
    const pending: string[] = [];
    down.on('message', (d) => {
      const text = d.toString('utf8');
      fromAgent.push(text);
      if (up.readyState === WebSocket.OPEN) up.send(text);
      else pending.push(text);
    });
    up.on('open', () => pending.splice(0).forEach((t) => up.send(t)));
    up.on('message', (d) => down.readyState === WebSocket.OPEN && down.send(d.toString('utf8')));
    const end = (ws: WebSocket, code: number) => (ws.readyState === WebSocket.OPEN ? ws.close(code >= 4000 || code === 1000 ? code : 1000) : ws.terminate());
    up.on('close', (code) => end(down, code));
    down.on('close', (code) => end(up, code));
    up.on('error', () => undefined);
    down.on('error', () => undefined);
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fromAgent,
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
