// The reference Linux screen gate with real parts: Xvfb on a free display,
// the real relay, agent and `porchlight request --screen-port`, and x11vnc
// started by the agent's screen gate itself (no VNC server runs beforehand).
// Granting view starts x11vnc on loopback with a one-time password; the agent
// logs in with VNC authentication (DES challenge); the technician's viewer
// never sees the password; revoke, end, relay loss, agent exit and start-up
// recovery stop x11vnc and delete the password, and nothing is left listening.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../src/core/audit/audit-log.js';
import { defaultAuditDir } from '../../src/core/data-dir.js';
import { systemClock } from '../../src/shared/clock.js';
import { ScreenGate } from '../../src/core/screen/screen-gate.js';
import { X11vncProcess, sessionFolder } from '../../src/core/screen/x11vnc-process.js';
import { until, within } from '../support/bounded-wait.js';
import { RfbTestClient } from './rfb-test-client.js';
import { listeningPorts, refused, startScreenSession, type ScreenSession } from './screen-session.js';
import { freePort, missingXBinaries, startXDisplay, type XDisplay } from './x-display.js';

const missing = missingXBinaries();
const ORANGE = 0x20c0ff;
let x: XDisplay;
let s: ScreenSession | undefined;

beforeAll(async () => {
  if (missing.length === 0) x = await startXDisplay('#20c0ff');
}, 20_000);
afterAll(async () => await x?.stop());
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** x11vnc processes on this machine whose command line names `folder` (the gate's per-session folder). */
function x11vncIn(folder: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
        return cmd.includes('x11vnc') && cmd.includes(folder) && !/ Z /.test(readFileSync(`/proc/${pid}/stat`, 'latin1').replace(/^.*\)/, ''));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Established TCP connections (state 01) to or from `port`, per /proc/net/tcp. */
function established(port: number): number {
  const rows = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/));
  const portOf = (address: string | undefined) => parseInt(address?.split(':')[1] ?? '', 16);
  return rows.filter((r) => r[3] === '01' && (portOf(r[1]) === port || portOf(r[2]) === port)).length;
}

const gateFolders = (dataDir: string) => (existsSync(join(dataDir, 'gates')) ? readdirSync(join(dataDir, 'gates')) : []);

/** What a raw client (not the agent) is offered by the gate's x11vnc: its RFB 3.8 security types. */
async function securityTypesOffered(port: number): Promise<number[]> {
  const socket = connect({ host: '127.0.0.1', port });
  let got = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => {
    got = Buffer.concat([got, d]);
    if (got.byteLength === 12) socket.write('RFB 003.008\n');
  });
  socket.on('error', () => undefined);
  await until(() => got.byteLength >= 13 && got.byteLength >= 13 + got[12]!, 'security types from x11vnc', () => got.toString('latin1'));
  socket.destroy();
  return [...got.subarray(13, 13 + got[12]!)];
}

async function viewerSeesOrange(port: number): Promise<RfbTestClient> {
  const viewer = await RfbTestClient.connect(port);
  await viewer.handshake();
  const points: Array<[number, number]> = [[5, 5], [160, 120], [319, 239]];
  let fb = await viewer.framebuffer();
  const deadline = Date.now() + 3000;
  while (points.some(([px, py]) => fb.pixel(px, py) !== ORANGE) && Date.now() < deadline) fb = await viewer.framebuffer();
  expect(points.map(([px, py]) => fb.pixel(px, py))).toEqual([ORANGE, ORANGE, ORANGE]);
  return viewer;
}

/** After a close: x11vnc gone, its password deleted, its port and the CLI's port no longer listening. */
async function everythingClosed(session: ScreenSession, vncPort: number, screenPort: number, folder: string): Promise<void> {
  const open = () => listeningPorts().filter((p) => p === vncPort || p === screenPort);
  await until(() => open().length === 0, 'x11vnc and the screen port to stop listening', () => open().join(','), { ms: 3000 });
  expect(x11vncIn(folder)).toEqual([]);
  expect(existsSync(folder)).toBe(false);
  expect(await refused(vncPort)).toBe('ECONNREFUSED');
  expect(await refused(screenPort)).toBe('ECONNREFUSED');
  await within(session.exit, 'the request command to finish', session.stdout);
}

describe.skipIf(missing.length > 0)('screen gate starting x11vnc under Xvfb', () => {
  it('starts x11vnc only once view is granted, with a one-time password the viewer never sees; revoking view stops it and deletes the password', async () => {
    const vncPort = await freePort();
    s = await startScreenSession({ screenServer: { host: '127.0.0.1', port: vncPort, x11vncDisplay: x.display }, grant: ['view'] });
    await until(() => s!.events().some((e) => e.type === 'session.pending'), 'session.pending', s.stdout);
    // Before consent: no x11vnc, no folder, nothing on its port.
    expect(gateFolders(s.dataDir)).toEqual([]);
    expect(listeningPorts()).not.toContain(vncPort);
    s.answer();
    const screenPort = await s.screenPort();
    const sessionId = await s.sessionId();
    const folder = sessionFolder(join(s.dataDir, 'gates'), sessionId);
    // Started by the gate before view was reported: loopback only, exits after one viewer, password from a private file.
    const [pid, ...more] = x11vncIn(folder);
    expect(more).toEqual([]);
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
    expect(argv).toEqual(expect.arrayContaining(['-localhost', '-once', '-passwdfile', join(folder, 'passwd'), '-rfbport', String(vncPort)]));
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(join(folder, 'passwd')).mode & 0o777).toBe(0o600);
    const password = readFileSync(join(folder, 'passwd'), 'utf8').trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(await securityTypesOffered(vncPort)).toEqual([2]); // x11vnc itself wants VNC authentication

    // The agent logs in with the password (DES challenge); the viewer is offered None only and sees the pixels.
    const viewer = await viewerSeesOrange(screenPort);
    expect(viewer.securityTypes).toEqual([1]);
    expect(viewer.received.includes(Buffer.from(password, 'latin1'))).toBe(false);
    expect(s.stdout()).not.toContain(password);

    expect(await s.agent.revokeScope(sessionId, 'view')).toBe(true);
    await viewer.closedWithin(1000);
    await everythingClosed(s, vncPort, screenPort, folder);
  }, 40_000);

  const closes: Array<[string, (session: ScreenSession, sessionId: string) => Promise<unknown>]> = [
    ['the user ends the session', (session, id) => session.agent.endSession(id)],
    ['the relay is killed', (session) => session.relay.relay.close()],
    ['the agent exits', (session) => session.stopAgent()],
  ];
  for (const [what, close] of closes) {
    it(`${what}: the viewer drops, x11vnc stops, the password is deleted, nothing listens`, async () => {
      const vncPort = await freePort();
      s = await startScreenSession({ screenServer: { host: '127.0.0.1', port: vncPort, x11vncDisplay: x.display }, grant: ['view'] });
      s.answer();
      const screenPort = await s.screenPort();
      const sessionId = await s.sessionId();
      const folder = sessionFolder(join(s.dataDir, 'gates'), sessionId);
      const viewer = await viewerSeesOrange(screenPort);
      await close(s, sessionId);
      await viewer.closedWithin(1000);
      await everythingClosed(s, vncPort, screenPort, folder);
    }, 40_000);
  }

  it('a viewer that comes back at once gets a fresh x11vnc (-once) with a new password while view stays granted', async () => {
    const vncPort = await freePort();
    s = await startScreenSession({ screenServer: { host: '127.0.0.1', port: vncPort, x11vncDisplay: x.display }, grant: ['view'] });
    s.answer();
    const screenPort = await s.screenPort();
    const folder = sessionFolder(join(s.dataDir, 'gates'), await s.sessionId());
    const firstPassword = readFileSync(join(folder, 'passwd'), 'utf8');
    const [firstPid] = x11vncIn(folder);
    const first = await viewerSeesOrange(screenPort);
    first.close();
    // Back as soon as the agent has left the first x11vnc, without waiting for that x11vnc to exit.
    await until(() => established(vncPort) === 0, 'the agent to leave the first x11vnc', () => `${established(vncPort)} connections`, { ms: 2000 });
    const second = await viewerSeesOrange(screenPort);
    expect(readFileSync(join(folder, 'passwd'), 'utf8')).not.toBe(firstPassword);
    expect(x11vncIn(folder)).not.toContain(firstPid);
    expect(x11vncIn(folder)).toHaveLength(1);
    second.close();
  }, 40_000);

  it('x11vnc that cannot start leaves view not granted, tells the user, and leaves nothing behind', async () => {
    const vncPort = await freePort();
    s = await startScreenSession({ screenServer: { host: '127.0.0.1', port: vncPort, x11vncDisplay: ':999', x11vncPath: '/usr/bin/x11vnc' }, grant: ['view', 'control'] });
    s.answer();
    // The gate opens only after the relay recorded the decision: the start names what it really applied.
    await until(() => s!.events().some((e) => e.type === 'session.started'), 'the start', s.stdout, { ms: 15_000 });
    const started = s.events().find((e) => e.type === 'session.started')!;
    expect(started.scopes).toEqual(['control']);
    expect(s.agent.grants()).not.toContain('view');
    expect(s.events().some((e) => e.type === 'screen')).toBe(false);
    expect(s.notices.map((n) => n.body).join('\n')).toMatch(/screen|view/i);
    expect(gateFolders(s.dataDir)).toEqual([]);
    expect(listeningPorts()).not.toContain(vncPort);
  }, 40_000);

  it('at start, an x11vnc left running by an agent that crashed is stopped and its password deleted before the agent connects', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pl-x11vnc-crash-'));
    const vncPort = await freePort();
    const who = { ticketId: 'INC-7', technicianId: 'alice', technicianName: 'Alice', deviceId: 'dev-screen' };
    // What the crashed agent left: its gate opened view in ses-crashed, and its x11vnc still runs.
    const log = await AuditLog.open({ dir: defaultAuditDir(dataDir), clock: systemClock });
    await log.append('gate.opening', { sessionId: 'ses-crashed', ...who, scope: 'view', gate: 'screen' });
    await log.append('gate.opened', { sessionId: 'ses-crashed', ...who, scope: 'view', gate: 'screen' });
    await log.close();
    const left = await X11vncProcess.start({ stateDir: join(dataDir, 'gates'), sessionId: 'ses-crashed', host: '127.0.0.1', port: vncPort, display: x.display });
    const folder = sessionFolder(join(dataDir, 'gates'), 'ses-crashed');
    expect(x11vncIn(folder)).toHaveLength(1);
    expect(listeningPorts()).toContain(vncPort);
    try {
      s = await startScreenSession({ screenServer: { host: '127.0.0.1', port: vncPort, x11vncDisplay: x.display }, grant: ['view'], dataDir });
      expect(x11vncIn(folder)).toEqual([]);
      expect(existsSync(folder)).toBe(false);
      expect(listeningPorts()).not.toContain(vncPort);
    } finally {
      await left.stop();
    }
  }, 40_000);

  it('a session granted while the last one is still stopping its x11vnc waits for the policy port instead of failing', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'pl-x11vnc-next-'));
    const vncPort = await freePort();
    const gate = new ScreenGate({ server: { host: '127.0.0.1', port: vncPort, x11vncDisplay: x.display }, stateDir, closeChannel: () => Promise.resolve() });
    const who = { ticketId: 'INC-8', technicianId: 'alice', technicianName: 'Alice', deviceId: 'dev-screen' };
    await gate.grant({ ...who, sessionId: 'ses-first' }, 'view');
    const [firstPid] = x11vncIn(sessionFolder(stateDir, 'ses-first'));
    // A first x11vnc slow to exit (stopped: it leaves only at the gate's SIGKILL) still holds the port.
    process.kill(firstPid!, 'SIGSTOP');
    const ending = gate.end({ ...who, sessionId: 'ses-first' });
    try {
      await gate.grant({ ...who, sessionId: 'ses-next' }, 'view');
      expect(x11vncIn(sessionFolder(stateDir, 'ses-first'))).toEqual([]);
      expect(x11vncIn(sessionFolder(stateDir, 'ses-next'))).toHaveLength(1);
      expect(await gate.endpoint('ses-next')).toMatchObject({ ok: true, endpoint: { port: vncPort } });
    } finally {
      await ending;
      await gate.end({ ...who, sessionId: 'ses-next' });
    }
    expect(listeningPorts()).not.toContain(vncPort);
  }, 40_000);
});
