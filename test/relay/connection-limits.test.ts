// Limits before and around authentication, against a real relay: a cap per
// source address on connections that have not said hello, a deadline that
// destroys silent sockets (even one that ignores the close frame), pings
// counted against the frame rate limit, and a socket dropped after an
// oversized frame instead of being read and discarded.
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { connectTechnician } from '../../src/cli/technician/technician-client.js';
import { encodeFrame } from '../../src/protocol/index.js';
import { MAX_FRAME_BYTES } from '../../src/protocol/limits.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { inTime } from '../support/bounded-wait.js';

let t: TestRelay | undefined;
const sockets: Array<Socket | WebSocket> = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) {
    if (s instanceof WebSocket) s.terminate();
    else s.destroy();
  }
  await t?.close();
  t = undefined;
});

/** A WebSocket that upgrades and then says nothing: resolves 'open', or 'refused' if the relay drops it first. */
function silentWebSocket(url: string): Promise<'open' | 'refused'> {
  const ws = new WebSocket(url);
  sockets.push(ws);
  return new Promise((resolve) => {
    ws.once('open', () => resolve('open'));
    ws.once('error', () => resolve('refused'));
    ws.once('close', () => resolve('refused'));
  });
}

/** `allowHalfOpen`: like an abuser, keep the socket (and keep writing) after the relay's FIN. */
function rawSocket(port: number, allowHalfOpen = false): Promise<Socket> {
  const s = connect({ port, host: '127.0.0.1', allowHalfOpen });
  sockets.push(s);
  s.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

const closed = (s: Socket) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));

describe('connection limits', () => {
  it('caps unauthenticated connections per address; authenticated ones do not count', async () => {
    const log: string[] = [];
    t = await startTestRelay({ maxUnauthenticatedPerAddress: 3, helloTimeoutMs: 10_000, log: (l) => log.push(l) });
    const held = await Promise.all([1, 2, 3].map(() => silentWebSocket(t!.relay.url)));
    expect(held).toEqual(['open', 'open', 'open']);
    expect(await inTime(silentWebSocket(t.relay.url), 'fourth connection settled')).toBe('refused');
    expect(log.some((l) => l.includes('over the cap of 3 unauthenticated per address'))).toBe(true);

    // One silent socket goes: a technician gets in, and once authenticated frees its slot again.
    (sockets[0] as WebSocket).terminate();
    await inTime(new Promise<void>((r) => (sockets[0] as WebSocket).once('close', () => r())), 'first socket closed');
    const token = await t.addTechnician('alice');
    let admitted: Awaited<ReturnType<typeof connectTechnician>> | undefined;
    for (let i = 0; i < 20 && !admitted?.ok; i++) admitted = await connectTechnician(t.relay.url, token);
    expect(admitted?.ok, 'technician admitted after a slot freed').toBe(true);
    expect(await inTime(silentWebSocket(t.relay.url), 'connection after the technician authenticated')).toBe('open');
    if (admitted?.ok) await admitted.client.close();
  });

  it('destroys a socket that never upgrades, and one that upgrades, stays silent and ignores the close', async () => {
    t = await startTestRelay({ helloTimeoutMs: 300 });
    const started = Date.now();
    const slowloris = await rawSocket(t.relay.port);
    slowloris.write('GET / HTTP/1.1\r\nHost: x\r\n'); // headers never finish
    const silent = await rawSocket(t.relay.port);
    // A hand-made upgrade; this client never answers the relay's close frame.
    const key = Buffer.alloc(16, 7).toString('base64');
    silent.write(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    silent.resume();
    await inTime(Promise.all([closed(slowloris), closed(silent)]), 'both sockets destroyed', 3000);
    expect(Date.now() - started).toBeLessThan(2800);
  });

  it('answers pings only within the frame rate limit and drops a ping flood', async () => {
    t = await startTestRelay({ rateLimit: { perSecond: 5, burst: 10, abuseThreshold: 50 } });
    const token = await t.addTechnician('alice');
    const ws = new WebSocket(t.relay.url);
    sockets.push(ws);
    await inTime(new Promise<void>((r) => ws.once('open', () => r())), 'open');
    const welcomed = new Promise<void>((r) => ws.once('message', () => r()));
    ws.send(encodeFrame({ v: 1, type: 'hello', id: 'h1', role: 'technician', token }));
    await inTime(welcomed, 'welcome');
    let pongs = 0;
    ws.on('pong', () => (pongs += 1));
    const code = new Promise<number>((r) => ws.once('close', (c) => r(c)));
    for (let i = 0; i < 500; i++) ws.ping();
    expect(await inTime(code, 'close after the ping flood')).toBe(1008);
    // The burst (plus what refilled in the meantime), not 500.
    expect(pongs).toBeLessThanOrEqual(15);
    expect(pongs).toBeGreaterThan(0);
  });

  it('names the refused frame in each rate-limited error (re)', async () => {
    t = await startTestRelay({ rateLimit: { perSecond: 1, burst: 3, abuseThreshold: 50 } });
    const r = await connectTechnician(t.relay.url, await t.addTechnician('alice'));
    if (!r.ok) throw new Error(r.detail);
    const refusals: Array<string | undefined> = [];
    r.client.onMessage((m) => m.type === 'error' && m.code === 'rate-limited' && refusals.push(m.re));
    const ids = ['flood-1', 'flood-2', 'flood-3', 'flood-4', 'flood-5'];
    for (const id of ids) r.client.send({ v: 1, type: 'session.cancel', id, requestId: 'none' });
    const done = r.client.waitFor((m) => (m.type === 'error' && m.re === 'flood-5' ? m : undefined));
    await inTime(done, 'refusal of flood-5');
    // hello and the first two fit the burst (those two get unknown-session); the rest are refused, each by its own id.
    expect(refusals).toEqual(['flood-3', 'flood-4', 'flood-5']);
    await r.client.close();
  });

  it('drops the socket after an oversized frame instead of reading on', async () => {
    t = await startTestRelay();
    const s = await rawSocket(t.relay.port, true);
    const key = Buffer.alloc(16, 3).toString('base64');
    s.write(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    const received: Buffer[] = [];
    s.on('data', (d: Buffer) => received.push(d));
    await inTime(new Promise<void>((r) => s.once('data', () => r())), '101 response');
    // A masked text frame announcing 64 MiB (over the 64 KiB limit), then its payload streamed.
    const length = 64 * 1024 * 1024;
    const header = Buffer.alloc(14);
    header[0] = 0x81;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
    header.writeUInt32BE(0x01020304, 10);
    expect(length).toBeGreaterThan(MAX_FRAME_BYTES);
    s.write(header);
    const chunk = Buffer.alloc(256 * 1024);
    let written = 0;
    const gone = closed(s);
    const pump = (async () => {
      while (written < length && !s.destroyed) {
        const ok = s.write(chunk);
        written += chunk.length;
        if (!ok) await Promise.race([new Promise((r) => s.once('drain', r)), gone]);
      }
    })();
    await inTime(gone, 'socket dropped after the oversized frame');
    await pump;
    expect(written, `${written} bytes were taken after the oversized header`).toBeLessThan(length);
    // The documented `too-large` error first, then the close frame 1009 (0x88, length, code 0x03f1).
    const all = Buffer.concat(received);
    const tooLarge = all.indexOf('"code":"too-large"');
    const close1009 = all.indexOf(Buffer.from([0x03, 0xf1]));
    expect(tooLarge, 'too-large error sent').toBeGreaterThan(0);
    expect(close1009, 'close 1009 sent').toBeGreaterThan(tooLarge);
  });
});
