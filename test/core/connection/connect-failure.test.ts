// Every failed connect of the agent names its cause, rate-limited (issue 14):
// real servers on 127.0.0.1 that refuse, present an untrusted or unpinned
// certificate, answer HTTP instead of upgrading, or speak TLS to a ws:// URL.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { RelayConnection } from '../../../src/core/connection/relay-connection.js';
import type { ConnectFailure } from '../../../src/core/connection/connect-failure.js';
import { spkiSha256 } from '../../../src/core/connection/tls-pin.js';
import { generateEd25519KeyPair } from '../../../src/protocol/signing.js';
import { systemClock } from '../../../src/shared/clock.js';
import { freePort } from '../../fault/processes.js';
import { hasOpenssl, selfSigned } from '../../relay/self-signed-cert.js';
import { X509Certificate } from 'node:crypto';

const deviceKey = generateEd25519KeyPair();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function listen(server: Server): Promise<number> {
  cleanups.push(() => new Promise((r) => server.close(r)));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** Connects until the first reported cause (fails within 5 s with what it saw). */
function firstFailure(url: string, extra: Partial<ConstructorParameters<typeof RelayConnection>[0]> = {}): Promise<{ failure: ConnectFailure; connection: RelayConnection; all: ConnectFailure[] }> {
  return new Promise((resolve, reject) => {
    const all: ConnectFailure[] = [];
    const connection = new RelayConnection({
      urls: [url],
      allowInsecure: false,
      deviceId: 'dev-1',
      deviceKey,
      agentVersion: 'test',
      onMessage: () => undefined,
      onState: () => undefined,
      clock: systemClock,
      backoff: { baseMs: 20, capMs: 40 },
      onConnectFailure: (f) => {
        all.push(f);
        resolve({ failure: f, connection, all });
      },
      ...extra,
    });
    cleanups.push(() => connection.stop());
    expect(connection.start()).toEqual({ ok: true });
    setTimeout(() => reject(new Error(`no cause reported within 5 s; failure=${JSON.stringify(connection.failure)}`)), 5000).unref();
  });
}

describe('a failed connect names its cause', () => {
  it('connection refused', async () => {
    const port = await freePort();
    const { failure } = await firstFailure(`ws://127.0.0.1:${port}`);
    expect(failure).toEqual({ kind: 'refused', detail: `nothing accepts connections on 127.0.0.1:${port} (connection refused): is the relay running, and is the port right?` });
  });

  it('DNS', async () => {
    const { failure } = await firstFailure('wss://relay.does-not-exist.invalid:7443');
    expect(failure.kind).toBe('dns');
    expect(failure.detail).toMatch(/^cannot resolve relay\.does-not-exist\.invalid \(DNS: E[A-Z_]+\)$/);
  });

  it('HTTP status instead of a WebSocket upgrade', async () => {
    const port = await listen(createHttpServer((_req, res) => res.writeHead(404).end()));
    const { failure } = await firstFailure(`ws://127.0.0.1:${port}/agent`);
    expect(failure).toEqual({ kind: 'http-status', detail: `127.0.0.1:${port} answered the WebSocket upgrade with HTTP 404 (not a Porchlight relay at this URL?)` });
  });

  it('a relay that refuses the agent with an error frame', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => new Promise((r) => wss.close(r)));
    // The agent now waits for the relay's challenge, so the refusal comes first (as a relay at capacity answers).
    wss.on('connection', (ws) => ws.send(JSON.stringify({ v: 1, type: 'error', id: 'e-1', code: 'unauthorized', detail: 'unknown device key' })));
    await new Promise((r) => wss.once('listening', r));
    const { failure } = await firstFailure(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    expect(failure).toEqual({ kind: 'relay-refused', detail: 'relay refused the agent: unauthorized (unknown device key)' });
  });

  describe.runIf(hasOpenssl)('TLS', () => {
    const tls = hasOpenssl ? selfSigned() : undefined;
    const tlsRelay = () => listen(createHttpsServer({ cert: tls!.cert, key: tls!.key }, (_req, res) => res.end()));

    it('an untrusted certificate, with its subject and issuer', async () => {
      const port = await tlsRelay();
      const { failure } = await firstFailure(`wss://127.0.0.1:${port}`);
      expect(failure).toEqual({ kind: 'tls-untrusted', detail: "the relay's TLS certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT): subject CN=localhost, issuer CN=localhost" });
    });

    it('a pin mismatch, with the expected and the presented fingerprint', async () => {
      const port = await tlsRelay();
      const wrongPin = `${'A'.repeat(43)}=`;
      const actual = spkiSha256(new X509Certificate(tls!.cert).raw);
      const { failure } = await firstFailure(`wss://127.0.0.1:${port}`, { tlsPin: wrongPin, wsOptions: { ca: tls!.cert } });
      expect(failure).toEqual({ kind: 'tls-pin-mismatch', detail: `relay TLS key does not match the pinned key (relayTlsPin): expected ${wrongPin}, the relay presented ${actual}` });
    });

    it('ws:// to a relay that speaks TLS says to use wss://', async () => {
      const port = await tlsRelay();
      const { failure } = await firstFailure(`ws://127.0.0.1:${port}`);
      expect(failure).toEqual({ kind: 'plain-to-tls', detail: `this relay speaks TLS: use wss:// (wss://127.0.0.1:${port})` });
    });
  });

  it('reports the same cause again only after failureRepeatMs, while retrying', async () => {
    const port = await freePort();
    const { connection, all } = await firstFailure(`ws://127.0.0.1:${port}`, { failureRepeatMs: 60_000 });
    // Several retries at 20-40 ms backoff: still one report, and the cause stays readable.
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if ((connection as unknown as { attempt: number }).attempt >= 5) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });
    expect(all).toHaveLength(1);
    expect(connection.failure?.kind).toBe('refused');
  });
});
