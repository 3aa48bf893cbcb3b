// `porchlight relay` under `prlimit --nofile=200:200`: it logs its open-files
// limit and budget; agents fill their quota (the next one is told `busy`,
// close 1013) and a technician still signs in and gets a decision; raw sockets
// past the socket cap are dropped and the relay logs it (instead of libuv
// resetting every new connection in silence).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { AGENT_SUBPROTOCOL, generateEd25519KeyPair, newMessageId, type Ed25519KeyPair } from '../../src/protocol/index.js';
import { DATABASE_FILE } from '../../src/relay/data-dir.js';
import { hashSecretToken, newSecretToken } from '../../src/relay/secret-token.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { connectTechnician } from '../../src/cli/technician/technician-client.js';
import { connectAgent, decide, type ScriptedAgent } from '../relay/scripted-agent.js';
import { inTime } from '../support/bounded-wait.js';
import { ensureBuilt, startCli, type RunningCli } from './built-cli.js';

beforeAll(ensureBuilt, 120_000);

const LIMIT = 200;
const DEVICES = LIMIT + 20;

let relay: RunningCli | undefined;
const held: Array<{ close(): void }> = [];
afterEach(async () => {
  for (const h of held.splice(0)) h.close();
  relay?.child.kill('SIGTERM');
  await relay?.done;
  relay = undefined;
});

/** Devices enrolled with known keys and one technician, written before the relay starts. */
async function prepare(data: string): Promise<{ keys: Ed25519KeyPair[]; token: string }> {
  const storage = new SqliteStorage(join(data, DATABASE_FILE));
  const at = new Date().toISOString();
  const keys = Array.from({ length: DEVICES }, () => generateEd25519KeyPair());
  for (const [i, key] of keys.entries()) await storage.registerDevice({ deviceId: `dev-${i}`, publicKey: key.publicKey, enrolledAt: at, lastSeenAt: null });
  const token = newSecretToken();
  await storage.addTechnician({ id: 'alice', name: 'Alice Tech', group: 'helpdesk', scopes: ['view'], unattended: false, tokenHash: hashSecretToken(token), createdAt: at, disabled: false });
  await storage.close();
  return { keys, token };
}

/** What the relay says to one more agent: its first frame and close code. */
function extraAgent(url: string): Promise<{ first: string; code: number }> {
  const ws = new WebSocket(url, [AGENT_SUBPROTOCOL]);
  ws.on('error', () => undefined);
  let first = '';
  ws.once('message', (d) => (first = d.toString()));
  return inTime(new Promise((resolve) => ws.once('close', (code) => resolve({ first, code }))), 'the relay to close an agent over its quota');
}

function rawSocket(port: number): Promise<{ socket: Socket; closedBy: Promise<'relay'> }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const closedBy = new Promise<'relay'>((resolve) => socket.once('close', () => resolve('relay')));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve({ socket, closedBy }));
    socket.once('error', reject);
  });
}

describe.skipIf(process.platform !== 'linux')('porchlight relay at its open-files limit', () => {
  it('keeps sockets for technicians while agents hold the rest, and logs connections it drops', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pl-relay-nofile-'));
    const { keys, token } = await prepare(data);
    relay = startCli(['relay', '--port', '0', '--data', data, '--max-unauthenticated-per-address', '100000'], {}, { openFilesLimit: LIMIT });
    const banner = await relay.waitForOutput(/listening on (ws:\/\/\S+) \(port (\d+)\)/);
    const [, url, port] = /listening on (ws:\/\/\S+) \(port (\d+)\)/.exec(banner)!;
    expect(relay.stderr()).toMatch(new RegExp(`open files: soft limit ${LIMIT}, hard limit ${LIMIT}; at most \\d+ sockets .*agents at most \\d+ \\(\\d+ kept for technicians\\)`));

    // Agents until the relay stops taking them.
    const agents: ScriptedAgent[] = [];
    for (let i = 0; i < DEVICES; i += 20) {
      const batch = await Promise.all(keys.slice(i, i + 20).map((key, j) => connectAgent(url!, { deviceId: `dev-${i + j}`, key })));
      for (const r of batch) if (r.ok) agents.push(r.agent);
      if (batch.some((r) => !r.ok)) break;
    }
    held.push(...agents.map((a) => ({ close: () => a.ws.terminate() })));
    // A technician still gets in, and its request reaches an agent and is decided.
    const agent = agents[0]!;
    agent.answer = (req) => [decide(req, 'declined', [])];
    const signedIn = await connectTechnician(url!, token);
    if (!signedIn.ok) throw new Error(`technician could not sign in with the agents at their quota: ${signedIn.detail}`);
    const tech = signedIn.client;
    held.push({ close: () => void tech.close() });
    const decided = tech.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    tech.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: agent.deviceId, ticket: { id: 'INC-FD' }, reason: 'Relay full of agents', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 });
    expect(await inTime(decided, 'the decision with every agent slot taken', 5000)).toMatchObject({ outcome: 'declined' });

    // The agents stopped at their quota, below what the descriptors would allow, and the next one is told why.
    expect(agents.length, 'agents the relay took').toBeGreaterThan(LIMIT / 3);
    expect(agents.length, 'agents the relay took').toBeLessThan(LIMIT - 64);
    const over = await extraAgent(url!);
    expect(over.code).toBe(1013);
    expect(JSON.parse(over.first)).toMatchObject({ type: 'error', code: 'busy' });
    await relay.waitForStderr(/refused \d+ agent connection\(s\) with busy \(1013\).*kept for technicians/);

    // Raw sockets take what is left; past the cap the relay drops them at once and says so.
    const raws = await Promise.all(Array.from({ length: LIMIT }, () => rawSocket(Number(port))));
    held.push(...raws.map((r) => ({ close: () => r.socket.destroy() })));
    await inTime(Promise.race(raws.map((r) => r.closedBy)), `the relay to drop one of ${LIMIT} raw sockets past its socket cap`, 5000);
    await relay.waitForStderr(/out of file descriptors \(EMFILE avoided\): dropped \d+ new connection\(s\) at the cap of \d+ sockets \(open-files limit 200; raise LimitNOFILE\)/);
    // The relay itself is fine: the technician's connection still carries a request to a decision.
    const again = tech.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    tech.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: agent.deviceId, ticket: { id: 'INC-FD' }, reason: 'Relay out of sockets', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 });
    expect(await inTime(again, 'a decision with every socket taken', 5000)).toMatchObject({ outcome: 'declined' });
  }, 60_000);
});
