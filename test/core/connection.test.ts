import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backoffDelay } from '../../src/core/connection/backoff.js';
import { helloIssuedAt } from '../../src/core/connection/relay-connection.js';
import { checkRelayUrl } from '../../src/core/connection/relay-url.js';
import { loadOrCreateDeviceKey, DEVICE_KEY_FILE } from '../../src/core/identity/device-key.js';
import { ReplayCache } from '../../src/core/verification/replay-cache.js';
import { MAX_FRAME_BYTES, generateEd25519KeyPair } from '../../src/protocol/index.js';
import { connected, startHarness, type Harness } from './agent-harness.js';
import { FakeClock } from './fake-clock.js';

let h: Harness | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'pl-conn-'));
  dirs.push(d);
  return d;
};

describe('relay connection', () => {
  it('proves the device key in hello and sends the enrollment token on first connect only', async () => {
    const dataDir = tmp();
    h = await startHarness({ dataDir, enrollmentToken: 'enroll-token-0123456789' });
    expect(h.relay.hellos[0]).toMatchObject({ role: 'agent', deviceId: 'dev-0001', devicePublicKey: h.agent.devicePublicKey(), enrollmentToken: 'enroll-token-0123456789' });
    await h.restart();
    const [first, second] = h.relay.hellos;
    if (first?.role !== 'agent' || second?.role !== 'agent') throw new Error('expected two agent hellos');
    expect(second.enrollmentToken).toBeUndefined();
    expect(second.devicePublicKey).toBe(first.devicePublicKey);
  });

  it('answers the relay\'s challenge: the proof signs that challenge and the pinned relay key', async () => {
    h = await startHarness();
    const hello = h.relay.hellos[0];
    if (hello?.role !== 'agent') throw new Error('expected an agent hello');
    // The stand-in welcomed it only because verifyHelloProof passed for this connection's challenge.
    expect(hello.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(h.relay.challenges).toContain(hello.challenge);
  });

  it('refuses a relay whose challenge names another key than the policy pins, before signing anything', async () => {
    h = await startHarness({ waitConnected: false, policy: { relayPublicKey: generateEd25519KeyPair().publicKey } });
    await vi.waitFor(() => expect(h!.relay.challenges.length).toBeGreaterThan(0), { timeout: 3000 });
    // The agent closed the socket without a hello.
    await vi.waitFor(() => expect(h!.relay.openSockets).toBe(0), { timeout: 3000 });
    expect(h.relay.hellos).toEqual([]);
    expect(h.agent.status().connection).not.toBe('connected');
  });

  it('dates its hello no earlier than the challenge while inside the skew allowance, and by its own clock beyond it', () => {
    const server = '2026-12-03T10:00:00.000Z';
    const at = (ms: number) => new Date(Date.parse(server) + ms).toISOString();
    expect(helloIssuedAt(Date.parse(server) + 1000, server)).toBe(at(1000));
    expect(helloIssuedAt(Date.parse(server) - 4 * 60_000, server)).toBe(server);
    expect(helloIssuedAt(Date.parse(server) - 10 * 60_000, server)).toBe(at(-10 * 60_000));
  });

  it('answers a bad frame with a typed error and keeps the connection', async () => {
    h = await startHarness();
    h.relay.sendRaw('{not json');
    expect(await h.relay.waitFor('error')).toMatchObject({ code: 'bad-frame' });
    h.relay.sendRaw(JSON.stringify({ v: 1, type: 'session.decision', id: 'x-1', requestId: 'r', outcome: 'accepted', granted: [], declined: [], decidedBy: 'user', decidedAt: '2026-11-24T10:00:00.000Z' }));
    expect(await h.relay.waitFor('error', (e) => e.re === 'x-1')).toMatchObject({ code: 'unexpected-type' });
    h.relay.sendRaw(JSON.stringify({ v: 2, type: 'session.end', id: 'x-2' }));
    expect(await h.relay.waitFor('error', (e) => e.re === 'x-2')).toMatchObject({ code: 'bad-version' });
    expect(h.agent.status().connection).toBe('connected');
  });

  it('drops a relay that sends a frame over 64 KiB (close code 1009) and reconnects', async () => {
    h = await startHarness();
    h.relay.sendRaw(JSON.stringify({ pad: 'x'.repeat(MAX_FRAME_BYTES + 10) }));
    await h.relay.whenAgentGone();
    // 1009 "message too big": the agent's size limit closed it, not some other failure.
    expect(h.relay.closeCodes).toEqual([1009]);
    await vi.waitFor(() => expect(h!.agent.status().connection).toBe('disconnected'));
    h.clock.advance(1);
    await connected(h);
    expect(h.relay.connections).toBe(2);
  });

  it('drops a relay that stays silent for more than 35 s and reconnects with backoff', async () => {
    h = await startHarness({ heartbeatMs: 30_000, silenceMs: 35_000, backoff: { random: () => 0.5, baseMs: 1000 } });
    h.clock.advance(34_000);
    expect(h.agent.status().connection).toBe('connected');
    h.clock.advance(1_001);
    await h.relay.whenAgentGone();
    await vi.waitFor(() => expect(h!.agent.status().connection).toBe('disconnected'));
    h.clock.advance(499);
    expect(h.relay.connections).toBe(1);
    h.clock.advance(1);
    await connected(h);
    expect(h.relay.connections).toBe(2);
  });

  it('keeps a relay that answers pings', async () => {
    h = await startHarness({ heartbeatMs: 30_000, silenceMs: 35_000 });
    const x = h;
    const t0 = x.clock.now();
    // Each ping's pong arrives over the real socket and re-arms the watchdog
    // 35 s after it: wait for that, not for some amount of real time.
    const pongHandled = (at: number) => vi.waitFor(() => expect(x.clock.dueTimes()).toContain(at + 35_000), { timeout: 10_000 });
    x.clock.advance(30_000);
    await pongHandled(t0 + 30_000);
    // Past the first watchdog deadline (t0 + 35 s): only the pong kept the relay.
    x.clock.advance(30_000);
    await pongHandled(t0 + 60_000);
    expect(x.agent.status().connection).toBe('connected');
    expect(h.relay.connections).toBe(1);
  });

  it('reports a relay that refuses the agent', async () => {
    h = await startHarness({ relayOptions: { refuse: true }, waitConnected: false });
    await vi.waitFor(() => expect(h!.ui.notifications.at(-1)?.body).toMatch(/unauthorized/));
    expect(h.agent.status().connection).toBe('disconnected');
    // It keeps trying (the device may be enrolled later), with backoff.
    h.clock.advance(1);
    await vi.waitFor(() => expect(h!.relay.hellos.length).toBe(2));
  });

  it('refuses ws:// to a non-loopback relay unless policy allows it', () => {
    expect(checkRelayUrl('ws://relay.example.com', false)).toMatchObject({ ok: false });
    expect(checkRelayUrl('ws://relay.example.com', true)).toMatchObject({ ok: true });
    expect(checkRelayUrl('wss://relay.example.com', false)).toMatchObject({ ok: true });
    expect(checkRelayUrl('ws://127.0.0.1:9000', false)).toMatchObject({ ok: true });
    expect(checkRelayUrl('ws://[::1]:9000', false)).toMatchObject({ ok: true });
    expect(checkRelayUrl('ws://localhost.evil.com', false)).toMatchObject({ ok: false });
    expect(checkRelayUrl('http://relay.example.com', true)).toMatchObject({ ok: false });
  });

  it('does not connect to an insecure relay URL and says why', async () => {
    h = await startHarness({ policy: { relayUrl: 'ws://relay.example.com/agent' }, waitConnected: false });
    expect(h.agent.status().connection).toBe('not-configured');
    expect(h.ui.notifications.at(-1)?.body).toMatch(/wss/);
  });
});

describe('backoff', () => {
  it('uses full jitter and caps at 60 s', () => {
    expect(backoffDelay(0, { random: () => 0.999 })).toBe(999);
    expect(backoffDelay(3, { random: () => 0.5 })).toBe(4000);
    expect(backoffDelay(20, { random: () => 0.999999 })).toBe(59_999);
    expect(backoffDelay(500, { random: () => 1 - Number.EPSILON })).toBeLessThan(60_000);
    expect(backoffDelay(5, { random: () => 0 })).toBe(0);
  });
});

describe('device identity', () => {
  it('creates the key on first run with mode 0600 and reuses it', () => {
    const dir = tmp();
    const a = loadOrCreateDeviceKey(dir);
    const path = join(dir, DEVICE_KEY_FILE);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadOrCreateDeviceKey(dir)).toEqual(a);
    expect(JSON.parse(readFileSync(path, 'utf8')).publicKey).toBe(a.publicKey);
  });

  it('refuses to overwrite a damaged key file', async () => {
    const dir = tmp();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, DEVICE_KEY_FILE), '{"v":1}');
    expect(() => loadOrCreateDeviceKey(dir)).toThrow(/damaged/);
  });
});

describe('replay cache', () => {
  it('remembers nonces across restarts until they expire', () => {
    const dir = tmp();
    const clock = new FakeClock();
    const path = join(dir, 'replay.json');
    const a = ReplayCache.open(path, clock);
    expect(a.isFresh('n1', clock.now())).toBe(true);
    a.remember('n1', clock.now() + 60_000);
    const b = ReplayCache.open(path, clock);
    expect(b.isFresh('n1', clock.now())).toBe(false);
    clock.advance(60_001);
    expect(b.isFresh('n1', clock.now() - 120_000 + 120_000)).toBe(true);
  });

  it('treats requests issued before a corrupt cache was loaded as suspect', async () => {
    const dir = tmp();
    const clock = new FakeClock();
    const path = join(dir, 'replay.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, 'garbage');
    const c = ReplayCache.open(path, clock);
    expect(c.isFresh('n2', clock.now() - 1)).toBe(false);
    expect(c.isFresh('n2', clock.now())).toBe(true);
  });
});
