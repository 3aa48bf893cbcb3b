// The screen channel with real parts: Xvfb + x11vnc on this machine, the real
// relay, the real agent core, and `porchlight request --screen-port` run
// in-process; our own RFB viewer connects to the technician's port. A
// counting proxy in front of x11vnc shows when the agent reaches the server.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Scope } from '../../src/protocol/scopes.js';
import { until, within } from '../support/bounded-wait.js';
import { listeningPorts, refused, startScreenSession, type ScreenSession } from './screen-session.js';
import { missingXBinaries, startXWorld, type XWorld } from './x-display.js';
import { RfbTestClient } from './rfb-test-client.js';

const missing = missingXBinaries();
if (missing.length > 0) console.warn(`screen channel real-parts tests skipped: ${missing.join(', ')} not installed (apt-get install xvfb x11vnc xdotool x11-xserver-utils)`);

const ORANGE = 0xff8000;
let x: XWorld;
let s: ScreenSession | undefined;
let proxy: CountingProxy;

beforeAll(async () => {
  if (missing.length > 0) return;
  x = await startXWorld('#ff8000');
  proxy = await countingProxy(x.vncPort);
}, 20_000);

afterAll(async () => {
  await proxy?.close();
  await x?.stop();
});

afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** Relay, agent (screen server = the counting proxy) and `porchlight request --screen-port 0 --json` in-process. */
async function startSession(grant: Scope[]): Promise<ScreenSession> {
  s = await startScreenSession({ screenServer: { host: '127.0.0.1', port: proxy.port }, grant });
  return s;
}

interface CountingProxy {
  port: number;
  accepted: number;
  open: Set<Socket>;
  /** What the agent sent to the VNC server, per connection. */
  sent: Buffer[][];
  close(): Promise<void>;
}

/**
 * RFB client message types in what the agent sent on connection `i`, after its
 * 14 handshake bytes (version, security None, ClientInit); a test-side reading of RFC 6143 7.5.
 */
function typesSent(p: CountingProxy, i: number): number[] {
  const b = Buffer.concat(p.sent[i] ?? []);
  const types: number[] = [];
  for (let at = 14; at < b.byteLength; ) {
    const type = b[at]!;
    types.push(type);
    const size = { 0: 20, 3: 10, 4: 8, 5: 6 }[type as 0 | 3 | 4 | 5] ?? (type === 2 ? 4 + 4 * b.readUInt16BE(at + 2) : type === 6 ? 8 + b.readUInt32BE(at + 4) : NaN);
    if (Number.isNaN(size)) throw new Error(`the agent sent RFB message type ${type}`);
    at += size;
  }
  return types;
}

/** Forwards to x11vnc and counts the agent's connections. */
async function countingProxy(target: number): Promise<CountingProxy> {
  const p: CountingProxy = { port: 0, accepted: 0, open: new Set(), sent: [], close: async () => undefined };
  const server: Server = createServer((inbound) => {
    p.accepted++;
    const sent: Buffer[] = [];
    p.sent.push(sent);
    inbound.on('data', (d: Buffer) => sent.push(d));
    p.open.add(inbound);
    const outbound = connect({ host: '127.0.0.1', port: target });
    inbound.pipe(outbound).pipe(inbound);
    const drop = () => {
      p.open.delete(inbound);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('close', drop).on('error', drop);
    outbound.on('close', drop).on('error', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  p.port = (server.address() as { port: number }).port;
  p.close = () => new Promise<void>((resolve) => {
    for (const s of p.open) s.destroy();
    server.close(() => resolve());
  });
  return p;
}

/** The X pointer once it is at (px, py), or where it is after 2 s (x11vnc injects input from its own loop). */
async function pointerReaches(px: number, py: number): Promise<{ x: number; y: number }> {
  const end = Date.now() + 2000;
  let at = await x.pointer();
  while ((at.x !== px || at.y !== py) && Date.now() < end) at = await x.pointer();
  return at;
}

/** Send a pointer event, then a full update request: its answer means the server has read the pointer event. */
async function pointerThenSync(v: RfbTestClient, px: number, py: number): Promise<void> {
  v.pointer(px, py);
  await v.framebuffer();
}

describe.skipIf(missing.length > 0)('screen channel with Xvfb and x11vnc', () => {
  it('before consent nothing reaches the VNC server; view only shows the real pixels and keeps input out; revoking view closes everything', async () => {
    const s = await startSession(['view']);
    const before = proxy.accepted;
    await until(() => s.events().some((e) => e.type === 'session.pending'), 'session.pending', s.stdout);
    // Before consent: no screen port, no connection to the VNC server.
    expect(s.events().some((e) => e.type === 'screen')).toBe(false);
    expect(proxy.accepted).toBe(before);
    s.answer();
    const port = await s.screenPort();
    const sessionId = await s.sessionId();
    expect(proxy.accepted).toBe(before); // listening alone opens nothing
    const viewer = await RfbTestClient.connect(port);
    await viewer.handshake();
    expect(proxy.accepted).toBe(before + 1);
    // x11vnc fills its framebuffer by polling the X server: read updates until its first full scan is in.
    const points: Array<[number, number]> = [[5, 5], [160, 120], [319, 239]];
    let fb = await viewer.framebuffer();
    const deadline = Date.now() + 3000;
    while (points.some(([px, py]) => fb.pixel(px, py) !== ORANGE) && Date.now() < deadline) fb = await viewer.framebuffer();
    expect([fb.width, fb.height]).toEqual([320, 240]);
    expect(points.map(([px, py]) => fb.pixel(px, py))).toEqual([ORANGE, ORANGE, ORANGE]);
    // A second viewer is turned away while the first is connected.
    const second = await RfbTestClient.connect(port);
    await second.closedWithin(1000);

    await x.movePointer(10, 10);
    await pointerThenSync(viewer, 200, 150);
    // The pointer event never left the agent (3: update requests, 0/2: pixel format and encodings).
    expect(typesSent(proxy, proxy.accepted - 1)).not.toContain(5);
    expect(new Set(typesSent(proxy, proxy.accepted - 1))).toEqual(new Set([0, 2, 3]));
    expect(await x.pointer()).toEqual({ x: 10, y: 10 });

    const revokedAt = Date.now();
    expect(await s.agent.revokeScope(sessionId, 'view')).toBe(true);
    await viewer.closedWithin(1000);
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    await until(() => !listeningPorts().includes(port), `port ${port} to stop listening`, () => listeningPorts().join(','), { ms: 1000 });
    expect(await refused(port)).toBe('ECONNREFUSED');
    await until(() => proxy.open.size === 0, 'the agent to drop its VNC connection', () => `${proxy.open.size} open`, { ms: 1000 });
    await within(s.exit, 'the request command to finish', s.stdout);
  }, 30_000);

  it('control passes input to the X server; revoking control stops it on the next message; ending closes the channel', async () => {
    const s = await startSession(['view', 'control']);
    s.answer();
    const port = await s.screenPort();
    const sessionId = await s.sessionId();
    const viewer = await RfbTestClient.connect(port);
    await viewer.handshake();
    await x.movePointer(10, 10);
    await pointerThenSync(viewer, 220, 170);
    expect(await pointerReaches(220, 170)).toEqual({ x: 220, y: 170 });
    const withControl = typesSent(proxy, proxy.accepted - 1).filter((type) => type === 5).length;
    expect(withControl).toBe(1);

    expect(await s.agent.revokeScope(sessionId, 'control')).toBe(true);
    await pointerThenSync(viewer, 50, 60);
    expect(typesSent(proxy, proxy.accepted - 1).filter((type) => type === 5).length).toBe(withControl);
    expect(await x.pointer()).toEqual({ x: 220, y: 170 });
    expect(viewer.closed).toBe(false); // view stays: the picture goes on

    const endedAt = Date.now();
    expect(await s.agent.endSession(sessionId)).toBe(true);
    await viewer.closedWithin(1000);
    expect(Date.now() - endedAt).toBeLessThan(1000);
    await until(() => !listeningPorts().includes(port), `port ${port} to stop listening`, () => listeningPorts().join(','), { ms: 1000 });
    expect(await refused(port)).toBe('ECONNREFUSED');
    await until(() => proxy.open.size === 0, 'the agent to drop its VNC connection', () => `${proxy.open.size} open`, { ms: 1000 });
    await within(s.exit, 'the request command to finish', s.stdout);
  }, 30_000);

  const kills: Array<[string, (session: ScreenSession) => Promise<void>]> = [
    ['relay killed', (session) => session.relay.relay.close()],
    ['agent stopped', (session) => session.stopAgent()],
  ];
  for (const [what, kill] of kills) {
    it(`${what}: the viewer is dropped within 1 s, the port closes and the agent leaves the VNC server`, async () => {
      const s = await startSession(['view']);
      s.answer();
      const port = await s.screenPort();
      const viewer = await RfbTestClient.connect(port);
      await viewer.handshake();
      expect(proxy.open.size).toBe(1);
      const killedAt = Date.now();
      await kill(s);
      await viewer.closedWithin(1000);
      expect(Date.now() - killedAt).toBeLessThan(1000);
      await until(() => !listeningPorts().includes(port), `port ${port} to stop listening`, () => listeningPorts().join(','), { ms: 1000 });
      expect(await refused(port)).toBe('ECONNREFUSED');
      await until(() => proxy.open.size === 0, 'the agent to drop its VNC connection', () => `${proxy.open.size} open`, { ms: 1000 });
      await within(s.exit, 'the request command to finish', s.stdout);
    }, 30_000);
  }
});
