// Loopback ports for servers a test starts itself (and for ones that must not answer).
import { createServer } from 'node:net';

/** A port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A ws:// URL nothing listens on: a relay instance that is down. */
export async function deadRelayUrl(): Promise<string> {
  return `ws://127.0.0.1:${await freePort()}`;
}
