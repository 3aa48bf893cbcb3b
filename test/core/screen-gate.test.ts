// The agent's own screen gate (defence in depth behind the relay): a real
// agent against the relay stand-in (which forwards whatever the test says, as
// a compromised relay could), and a small real RFB server on 127.0.0.1:0 that
// counts connections. The agent opens only for the live session with view,
// only to the policy's endpoint, and closes on garbage, revoke, relay loss and exit.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { CHANNEL_WINDOW_BYTES, encodeChannelFrame, parseChannelFrame, type ChannelFrame } from '../../src/protocol/channel-frame.js';
import { newMessageId } from '../../src/protocol/frame.js';
import type { Message } from '../../src/protocol/messages.js';
import { until } from '../support/bounded-wait.js';
import { startHarness, startLiveSession, type Harness } from './agent-harness.js';

interface TinyVnc {
  port: number;
  connections: number;
  open: Set<Socket>;
  /** Client bytes after its ClientInit, per connection. */
  received: Buffer[];
  close(): Promise<void>;
}

/** RFB 3.8, security None, a 4x4 ServerInit named "tiny"; keeps what the client sends after ClientInit. */
async function tinyVnc(floodBytes = 0): Promise<TinyVnc> {
  const v: TinyVnc = { port: 0, connections: 0, open: new Set(), received: [], close: async () => undefined };
  const server: Server = createServer((socket) => {
    v.connections++;
    v.open.add(socket);
    const index = v.received.push(Buffer.alloc(0)) - 1;
    let stage = 0;
    let buf = Buffer.alloc(0);
    socket.write('RFB 003.008\n');
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (stage === 0 && buf.byteLength >= 12) {
        [stage, buf] = [1, buf.subarray(12)];
        socket.write(Buffer.from([1, 1]));
      }
      if (stage === 1 && buf.byteLength >= 1) {
        [stage, buf] = [2, buf.subarray(1)];
        socket.write(Buffer.from([0, 0, 0, 0]));
      }
      if (stage === 2 && buf.byteLength >= 1) {
        [stage, buf] = [3, buf.subarray(1)];
        const init = Buffer.alloc(28);
        init.writeUInt16BE(4, 0);
        init.writeUInt16BE(4, 2);
        Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0]).copy(init, 4);
        init.writeUInt32BE(4, 20);
        init.write('tiny', 24);
        socket.write(init);
        // A server with a lot to say: as much screen data as the client will take.
        if (floodBytes > 0) socket.write(Buffer.alloc(floodBytes, 7));
      }
      if (stage === 3) [v.received[index], buf] = [Buffer.concat([v.received[index]!, buf]), Buffer.alloc(0)];
    });
    socket.on('close', () => v.open.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  v.port = (server.address() as { port: number }).port;
  v.close = () => new Promise((resolve) => {
    for (const s of v.open) s.destroy();
    server.close(() => resolve());
  });
  return v;
}

let h: Harness | undefined;
let vnc: TinyVnc | undefined;
afterEach(async () => {
  await h?.stop();
  await vnc?.close();
  h = undefined;
});

const open = (sessionId: string, channel = 1): Message<'channel.open'> => ({ v: 1, type: 'channel.open', id: newMessageId(), sessionId, channel, kind: 'screen' });
const frames = (h: Harness): ChannelFrame[] => h.relay.binary.map((b) => parseChannelFrame(b)).flatMap((p) => (p.ok ? [p.frame] : []));
const data = (sessionId: string, bytes: number[] | Buffer, channel = 1) => encodeChannelFrame({ kind: 'data', sessionId, channel, payload: Buffer.from(bytes) });

/** Open channel 1 and run the viewer's side of the handshake through the stand-in. */
async function viewerThrough(h: Harness, sessionId: string): Promise<void> {
  h.relay.send(open(sessionId));
  await h.relay.waitFor('channel.opened');
  await h.relay.binaryFrames(1); // "RFB 003.008\n"
  h.relay.sendBinary(data(sessionId, Buffer.from('RFB 003.008\n')));
  await h.relay.binaryFrames(2); // security types
  h.relay.sendBinary(data(sessionId, [1]));
  await h.relay.binaryFrames(3); // security result
  h.relay.sendBinary(data(sessionId, [1]));
  await until(() => frames(h).some((f) => f.kind === 'data' && f.payload.byteLength === 28), 'ServerInit through the agent', () => `${frames(h).length} frames`);
}

describe('agent screen gate', () => {
  it('refuses channel.open without view, for another session, and with no screen server configured; never connects', async () => {
    vnc = await tinyVnc();
    h = await startHarness({ policy: { screenServer: { host: '127.0.0.1', port: vnc.port } } });
    const sessionId = await startLiveSession(h, ['control']);
    h.relay.send(open(sessionId));
    expect(await h.relay.waitFor('channel.close')).toMatchObject({ code: 'forbidden', channel: 1 });
    h.relay.send(open('ses-not-live', 2));
    expect(await h.relay.waitFor('channel.close', (m) => m.channel === 2)).toMatchObject({ code: 'unknown-session' });
    expect(vnc.connections).toBe(0);
    await h.stop();
    h = await startHarness();
    const other = await startLiveSession(h, ['view']);
    h.relay.send(open(other, 3));
    expect(await h.relay.waitFor('channel.close', (m) => m.channel === 3)).toMatchObject({ code: 'screen-unavailable' });
  });

  it('view goes through the screen gate: an unreadable password file leaves view not granted, the user is told, nothing connects', async () => {
    vnc = await tinyVnc();
    h = await startHarness({ policy: { screenServer: { host: '127.0.0.1', port: vnc.port, passwordFile: '/nonexistent/porchlight-vnc.pass' } } });
    h.relay.sendRequest(h.request({ scopes: ['view', 'control'], estimatedMinutes: 20 }));
    h.ui.answer((await h.ui.nextPrompt()).promptId, ['view', 'control']);
    const started = await h.relay.waitFor('session.started');
    expect(started.scopes).toEqual(['control']);
    await h.agent.idle();
    expect(h.ui.notifications.map((n) => n.body).join('\n')).toMatch(/screen|view/i);
    h.relay.send(open(started.sessionId));
    expect(await h.relay.waitFor('channel.close')).toMatchObject({ code: 'forbidden' });
    expect(vnc.connections).toBe(0);
  });

  it('the banner follows the channel: open says the technician sees the screen, input passing says they control it', async () => {
    vnc = await tinyVnc();
    h = await startHarness({ policy: { screenServer: { host: '127.0.0.1', port: vnc.port } } });
    const sessionId = await startLiveSession(h, ['view', 'control']);
    expect(h.ui.banners.at(-1)?.screen).toBeUndefined();
    await viewerThrough(h, sessionId);
    expect(h.ui.banners.at(-1)?.screen).toEqual({ open: true, input: false });
    h.relay.sendBinary(data(sessionId, [5, 0, 0, 1, 0, 1]));
    await until(() => h!.ui.banners.at(-1)?.screen?.input === true, 'a banner saying input passes', () => JSON.stringify(h!.ui.banners.at(-1)?.screen));
    h.relay.send({ v: 1, type: 'channel.close', id: newMessageId(), sessionId, channel: 1 });
    await until(() => h!.ui.banners.at(-1)?.screen?.open === false, 'a banner saying the channel closed', () => JSON.stringify(h!.ui.banners.at(-1)?.screen));
    await until(() => vnc!.open.size === 0, 'the VNC connection to close', () => `${vnc!.open.size} open`, { ms: 1000 });
  });

  it('backpressure: without acks the agent sends at most one credit window, and pushes back on the VNC server', async () => {
    vnc = await tinyVnc(64 * 1024 * 1024);
    h = await startHarness({ policy: { screenServer: { host: '127.0.0.1', port: vnc.port } } });
    const sessionId = await startLiveSession(h, ['view']);
    await viewerThrough(h, sessionId);
    const sent = () => frames(h!).reduce((n, f) => n + (f.kind === 'data' ? f.payload.byteLength : 0), 0);
    const server = [...vnc.open][0]!;
    // The server's own send buffer fills: the agent stopped reading from it.
    await until(() => server.writableLength > 16 * 1024 * 1024, 'the VNC server to be pushed back', () => `${server.writableLength} unsent, ${sent()} forwarded`);
    expect(sent()).toBeLessThanOrEqual(CHANNEL_WINDOW_BYTES + 28 + 64);
    const before = sent();
    h.relay.sendBinary(encodeChannelFrame({ kind: 'ack', sessionId, channel: 1, bytes: 128 * 1024 }));
    await until(() => sent() > before, 'more data once credit came back', () => `${sent()} forwarded`);
  });

  it('runs the handshake itself, filters input without control, and closes on RFB garbage', async () => {
    vnc = await tinyVnc();
    h = await startHarness({ policy: { screenServer: { host: '127.0.0.1', port: vnc.port } } });
    const sessionId = await startLiveSession(h, ['view']);
    await viewerThrough(h, sessionId);
    expect(vnc.connections).toBe(1);
    const pointer = [5, 0, 0, 1, 0, 1];
    const update = [3, 0, 0, 0, 0, 0, 0, 4, 0, 4];
    h.relay.sendBinary(data(sessionId, [...pointer, ...update]));
    await until(() => vnc!.received[0]!.byteLength >= 10, 'the update request at the server', () => vnc!.received[0]!.toString('hex'));
    expect([...vnc.received[0]!]).toEqual(update);
    h.relay.sendBinary(data(sessionId, [99, 1, 2, 3]));
    expect(await h.relay.waitFor('channel.close')).toMatchObject({ code: 'channel-violation', channel: 1 });
    await until(() => vnc!.open.size === 0, 'the agent to drop the VNC connection', () => `${vnc!.open.size} open`, { ms: 1000 });
  });

  it('closes the VNC connection when the relay goes away', async () => {
    vnc = await tinyVnc();
    h = await startHarness({ policy: { screenServer: { host: '127.0.0.1', port: vnc.port } } });
    const sessionId = await startLiveSession(h, ['view']);
    await viewerThrough(h, sessionId);
    expect(vnc.open.size).toBe(1);
    h.relay.dropAgent();
    await until(() => vnc!.open.size === 0, 'the VNC connection to close after relay loss', () => `${vnc!.open.size} open`, { ms: 1000 });
  });

  it('closes the VNC connection when the agent exits', async () => {
    vnc = await tinyVnc();
    h = await startHarness({ policy: { screenServer: { host: '127.0.0.1', port: vnc.port } } });
    const sessionId = await startLiveSession(h, ['view']);
    await viewerThrough(h, sessionId);
    expect(vnc.open.size).toBe(1);
    await h.stop();
    h = undefined;
    await until(() => vnc!.open.size === 0, 'the VNC connection to close at agent exit', () => `${vnc!.open.size} open`, { ms: 1000 });
  });

  it("closes the VNC connection when the session's granted time runs out", async () => {
    vnc = await tinyVnc();
    h = await startHarness({ policy: { screenServer: { host: '127.0.0.1', port: vnc.port } } });
    const sessionId = await startLiveSession(h, ['view']);
    await viewerThrough(h, sessionId);
    expect(vnc.open.size).toBe(1);
    h.clock.advance(21 * 60_000);
    await until(() => vnc!.open.size === 0, 'the VNC connection to close at expiry', () => `${vnc!.open.size} open`, { ms: 1000 });
    expect(await h.relay.waitFor('session.end')).toMatchObject({ sessionId, by: 'expiry' });
  });
});
