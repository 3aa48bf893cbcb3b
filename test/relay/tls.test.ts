// wss:// and https:// with --cert/--key (a throwaway self-signed certificate).
import { describe, expect, it } from 'vitest';
import { get } from 'node:https';
import WebSocket from 'ws';
import { encodeFrame, parseFrame } from '../../src/protocol/index.js';
import { startTestRelay } from './harness.js';
import { hasOpenssl, selfSigned } from './self-signed-cert.js';

describe.skipIf(!hasOpenssl)('relay over TLS', () => {
  it('serves wss:// for technicians and the console over https:// with the CSP', async () => {
    const tls = selfSigned();
    const t = await startTestRelay({ tls: { cert: tls.cert, key: tls.key } });
    try {
      expect(t.relay.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
      const token = await t.addTechnician('alice');
      const ws = new WebSocket(t.relay.url, { ca: tls.cert });
      const first = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
      ws.on('open', () => ws.send(encodeFrame({ v: 1, type: 'hello', id: 'h1', role: 'technician', token })));
      const parsed = parseFrame(await first);
      expect(parsed.ok && parsed.msg.type).toBe('welcome');
      ws.close();
      const csp = await new Promise<string | undefined>((resolve, reject) => {
        get(`${t.relay.url.replace(/^wss/, 'https')}/`, { ca: tls.cert }, (res) => {
          res.resume();
          resolve(res.headers['content-security-policy'] as string | undefined);
        }).on('error', reject);
      });
      expect(csp).toContain("default-src 'none'");
    } finally {
      await t.close();
    }
  });
});
