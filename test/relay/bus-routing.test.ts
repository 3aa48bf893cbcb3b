// Two relay instances routing through a real redis-server (issue 22, routing part): a technician
// on A reaches a device on B and gets every answer back; a device that leaves B, moves to A, or
// whose instance dies is handled as the single-instance relay handles a lost agent.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, newMessageId, verifySessionRequestSignature, type Message } from '../../src/protocol/index.js';
import { verifyAuditChain } from '../../src/relay/audit/audit-record.js';
import { BusPeerDirectory } from '../../src/relay/bus/bus-peer-directory.js';
import { BUS_CHANNELS } from '../../src/relay/bus/bus.js';
import { encodeChannelFrame, parseChannelFrame } from '../../src/protocol/channel-frame.js';
import { RedisBus } from '../../src/relay/bus/redis-bus.js';
import { CLOSE } from '../../src/relay/relay-constants.js';
import { redisInstalled, startRedis, type RedisServer } from '../support/redis-server.js';
import { until } from '../support/bounded-wait.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { acceptAndFinish, acceptAndStay, agreeWindow, connectAgent } from './scripted-agent.js';

const installed = redisInstalled();
let redis: RedisServer;
beforeAll(async () => {
  if (installed) redis = await startRedis();
}, 30_000);
afterAll(() => redis?.stop());

interface Instance {
  t: TestRelay;
  relayKey: ReturnType<typeof generateEd25519KeyPair>;
  bus: RedisBus;
  directory: BusPeerDirectory;
  /** The bus directory's log. */
  logs: string[];
  /** The relay's own log. */
  relayLogs: string[];
}
let running: Instance[] = [];
afterEach(async () => {
  for (const i of running) {
    await i.directory.close();
    await i.t.close();
    await i.bus.close();
  }
  running = [];
});

/** Two instances sharing one database file, one relay key and one Redis. */
type Caps = { maxPendingPerTechnician?: number; maxPendingPerDevice?: number };
async function pair(aliveMs = 10_000, caps: Caps = {}, redisUrl = redis.url): Promise<[Instance, Instance]> {
  const path = join(mkdtempSync(join(tmpdir(), 'pl-bus-')), 'relay.db');
  const relayKey = generateEd25519KeyPair();
  const start = async (name: string): Promise<Instance> => {
    const bus = await RedisBus.connect(redisUrl);
    const logs: string[] = [];
    const directory = await BusPeerDirectory.start({ bus, instanceId: `${name}-${newMessageId()}`, aliveMs, log: (l) => logs.push(l) });
    const relayLogs: string[] = [];
    const t = await startTestRelay({ directory, relayKey, ...caps, log: (l) => relayLogs.push(l) }, { path });
    const i = { t, relayKey, bus, directory, logs, relayLogs };
    running.push(i);
    return i;
  };
  return [await start('a'), await start('b')];
}

const request = (deviceId: string, ticket: string): Message<'tech.request'> => ({
  v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: ticket }, reason: 'Outlook keeps asking for a password', scopes: ['view'], mode: 'attended', estimatedMinutes: 10,
});

describe.runIf(installed)('relay instances over Redis', () => {
  it('a technician on one instance runs a whole session with a device on the other', async () => {
    const [a, b] = await pair();
    const agent = await b.t.agent('dev-b');
    agent.answer = acceptAndFinish();
    await until(() => a.t.relay.router.isOnline('dev-b'), 'instance A to see dev-b online', () => `A knows ${a.directory.agentCount} devices`);
    const tech = await a.t.technician('alice');
    const pending = tech.waitFor((m) => (m.type === 'session.pending' ? m : undefined));
    const summary = tech.waitFor((m) => (m.type === 'session.summary' ? m : undefined));
    tech.send(request('dev-b', 'INC-BUS-1'));
    expect(await pending).toMatchObject({ type: 'session.pending' });
    const received = await agent.next('session.request');
    expect(verifySessionRequestSignature(received, a.relayKey.publicKey)).toBe(true);
    expect(await summary).toMatchObject({ summary: { deviceId: 'dev-b', ticket: { id: 'INC-BUS-1' } } });

    // One audit chain, written by the instance that owns the request.
    const records = await a.t.storage.queryAudit({ ticketId: 'INC-BUS-1' });
    expect(records.map((r) => r.kind)).toEqual(['request', 'decision', 'session-started', 'session-end', 'session-summary']);
    expect(verifyAuditChain(await b.t.storage.queryAudit({}))).toEqual({ ok: true });
  });

  it('narration reaches the device on the other instance; its leaving ends the session for the technician', async () => {
    const [a, b] = await pair();
    const agent = await b.t.agent('dev-b');
    agent.answer = acceptAndStay();
    await until(() => a.t.relay.router.isOnline('dev-b'), 'instance A to see dev-b online', () => `A knows ${a.directory.agentCount} devices`);
    const tech = await a.t.technician('alice');
    const started = tech.waitFor((m) => (m.type === 'session.started' ? m : undefined));
    tech.send(request('dev-b', 'INC-BUS-2'));
    const { sessionId } = (await started)!;
    tech.send({ v: 1, type: 'session.narration', id: newMessageId(), sessionId, text: 'opening the mail settings' });
    expect(await agent.next('session.narration')).toMatchObject({ sessionId, text: 'opening the mail settings' });

    const ended = tech.waitFor((m) => (m.type === 'session.end' ? m : undefined));
    await agent.close();
    expect(await ended).toMatchObject({ sessionId });
    await until(() => !a.t.relay.router.isOnline('dev-b'), 'instance A to see dev-b offline', () => 'still online');
  });

  it('pending-request caps count a technician and a device over both instances, and a decided slot is given back', async () => {
    const [a, b] = await pair(10_000, { maxPendingPerTechnician: 3, maxPendingPerDevice: 3 });
    await a.t.agent('dev-cap'); // never answers: its requests stay pending
    await until(() => b.t.relay.router.isOnline('dev-cap'), 'instance B to see dev-cap online', () => `B knows ${b.directory.agentCount} devices`);
    const ask = async (c: TechnicianClient, ticket: string) => {
      const msg = request('dev-cap', ticket);
      const answer = c.waitFor((m) => ((m.type === 'session.pending' || (m.type === 'error' && m.re === msg.id)) ? m : undefined));
      c.send(msg);
      return (await answer)!;
    };
    const aliceToken = await a.t.addTechnician('alice');
    const aliceOn = async (i: Instance) => {
      const r = await connectTechnician(i.t.relay.url, aliceToken);
      if (!r.ok) throw new Error(r.detail);
      return r.client;
    };
    const [onA, onB] = [await aliceOn(a), await aliceOn(b)];
    try {
      const first = await ask(onA, 'INC-CAP-1');
      expect(first.type).toBe('session.pending');
      expect((await ask(onA, 'INC-CAP-2')).type).toBe('session.pending');
      expect((await ask(onB, 'INC-CAP-3')).type).toBe('session.pending');
      // B holds one of alice's requests itself; the other two are A's, and B still refuses the fourth.
      expect(await ask(onB, 'INC-CAP-4')).toMatchObject({ type: 'error', code: 'rate-limited', detail: expect.stringContaining('at most 3 pending requests per technician') });
      // A cancelled request gives its slot back across instances.
      onA.send({ v: 1, type: 'session.cancel', id: 'cancel-1', requestId: (first as Message<'session.pending'>).requestId });
      // The slot goes back over Redis a moment after the cancel: ask again until it is there (bounded).
      const tries: string[] = [];
      for (let i = 0; i < 100 && tries.at(-1) !== 'session.pending'; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 20));
        const m = await ask(onB, `INC-CAP-5-${i}`);
        tries.push(m.type === 'error' ? m.code : m.type);
      }
      expect(tries.at(-1), `answers after the cancel: ${tries.join(', ')}`).toBe('session.pending');
      // The device's count spans instances too: bob on B meets the 3 requests already waiting for dev-cap (B holds only 2).
      const bob = await b.t.technician('bob');
      expect(await ask(bob, 'INC-CAP-6')).toMatchObject({ type: 'error', code: 'rate-limited', detail: expect.stringContaining('device dev-cap already has 3 pending requests') });
    } finally {
      await onA.close();
      await onB.close();
    }
  });

  it('with the bus down, requests to a device on the same instance go on under that instance\'s caps, and it is logged', async () => {
    const own = await startRedis();
    const [a] = await pair(10_000, { maxPendingPerTechnician: 1 }, own.url);
    await a.t.agent('dev-local');
    const tech = await a.t.technician('alice');
    await own.stop();
    const ask = async (ticket: string) => {
      const msg = request('dev-local', ticket);
      const answer = tech.waitFor((m) => ((m.type === 'session.pending' || (m.type === 'error' && m.re === msg.id)) ? m : undefined));
      tech.send(msg);
      return (await answer)!;
    };
    expect((await ask('INC-DOWN-1')).type).toBe('session.pending');
    expect(await ask('INC-DOWN-2')).toMatchObject({ type: 'error', code: 'rate-limited' });
    expect(a.relayLogs.join('\n')).toContain("shared pending counts unavailable, this instance's caps apply");
  });

  it('a window proposed by a technician on A is agreed by a device on B and kept once (issue 20 across instances)', async () => {
    const [a, b] = await pair();
    const agent = await b.t.agent('dev-win');
    agent.answerSchedule = (req, self) => agreeWindow(req, self);
    await until(() => a.t.relay.router.isOnline('dev-win'), 'instance A to see dev-win online', () => `A knows ${a.directory.agentCount} devices`);
    const tech = await a.t.technician('alice');
    const startsAt = new Date(Math.ceil((Date.now() + 3 * 3_600_000) / 60_000) * 60_000).toISOString();
    const endsAt = new Date(Date.parse(startsAt) + 2 * 3_600_000).toISOString();
    const msg: Message<'tech.schedule'> = { v: 1, type: 'tech.schedule', id: newMessageId(), deviceId: 'dev-win', ticket: { id: 'INC-WIN-1' }, reason: 'After hours', scopes: ['view'], startsAt, endsAt };
    const decided = tech.waitFor((m) => (m.type === 'schedule.decision' || (m.type === 'error' && m.re === msg.id) ? m : undefined));
    tech.send(msg);
    expect(await decided).toMatchObject({ type: 'schedule.decision', outcome: 'agreed' });
    expect(await a.t.storage.listAgreedWindows('dev-win')).toMatchObject([{ revokedAt: null, signed: { window: { ticketId: 'INC-WIN-1', startsAt, endsAt } } }]);
    const kinds = (await a.t.storage.queryAudit({ ticketId: 'INC-WIN-1' })).map((r) => r.kind);
    expect(kinds).toEqual(['schedule-request', 'schedule-decision']);
  });

  it('a device connecting to the other instance replaces its older connection', async () => {
    const [a, b] = await pair();
    const key = generateEd25519KeyPair();
    const first = await connectAgent(b.t.relay.url, { deviceId: 'dev-m', key, enrollmentToken: await b.t.enroll('dev-m') });
    if (!first.ok) throw new Error('dev-m did not enroll');
    await until(() => a.t.relay.router.isOnline('dev-m'), 'instance A to see dev-m', () => 'offline');
    const closed = new Promise<number>((r) => first.agent.ws.once('close', (code) => r(code)));
    const second = await connectAgent(a.t.relay.url, { deviceId: 'dev-m', key });
    expect(second.ok).toBe(true);
    expect(await closed).toBe(CLOSE.replaced);
    const where = () => b.directory.agent('dev-m')?.connectionId ?? 'nowhere';
    await until(() => where().startsWith('bus:a-'), 'instance B to see dev-m on A', where);
    if (second.ok) await second.agent.close();
  });

  it('the devices of an instance that died are offline once it stops announcing itself', async () => {
    const [a, b] = await pair(400);
    await b.t.agent('dev-dead');
    await until(() => a.t.relay.router.isOnline('dev-dead'), 'instance A to see dev-dead', () => 'offline');
    // B's bus goes silent without a goodbye (a crash, as far as A can tell).
    await b.bus.close();
    await until(() => !a.t.relay.router.isOnline('dev-dead'), 'instance A to drop dev-dead', () => 'still online', { ms: 4000 });
    const tech = await a.t.technician('alice');
    const refused = tech.waitFor((m) => (m.type === 'error' ? m : undefined));
    tech.send(request('dev-dead', 'INC-BUS-3'));
    expect(await refused).toMatchObject({ code: 'agent-offline' });
  });

  it('a malformed envelope on the bus is dropped and logged; routing goes on', async () => {
    const [a, b] = await pair();
    const instanceOfA = (a.directory as unknown as { o: { instanceId: string } }).o.instanceId;
    await b.bus.publish(BUS_CHANNELS.instance(instanceOfA), '{"k":"to-agent","d":"dev-1","from":"b","frame":"{}"}');
    await b.bus.publish(BUS_CHANNELS.instance(instanceOfA), 'not json');
    await until(() => a.logs.length >= 2, 'instance A to log both', () => JSON.stringify(a.logs));
    expect(a.logs).toEqual([expect.stringContaining('was dropped (bad-'), 'relay bus: a malformed envelope was dropped']);
    const agent = await b.t.agent('dev-ok');
    agent.answer = acceptAndFinish();
    await until(() => a.t.relay.router.isOnline('dev-ok'), 'instance A to see dev-ok', () => 'offline');
    const tech = await a.t.technician('alice');
    const summary = tech.waitFor((m) => (m.type === 'session.summary' ? m : undefined));
    tech.send(request('dev-ok', 'INC-BUS-4'));
    expect(await summary).toMatchObject({ summary: { deviceId: 'dev-ok' } });
  });

  it('carries a data channel both ways between a technician on A and a device on B, and stops it without view', async () => {
    const [a, b] = await pair();
    const agent = await b.t.agent('dev-ch');
    agent.answer = acceptAndStay();
    await until(() => a.t.relay.router.isOnline('dev-ch'), 'instance A to see dev-ch', () => 'offline');
    const tech = await a.t.technician('alice');
    const started = tech.waitFor((m) => (m.type === 'session.started' ? m : undefined));
    tech.send({ ...request('dev-ch', 'INC-BUS-CH'), scopes: ['view'] });
    const { sessionId } = (await started)!;
    const opened = tech.waitFor((m) => (m.type === 'channel.opened' ? m : undefined));
    tech.send({ v: 1, type: 'channel.open', id: newMessageId(), sessionId, channel: 1, kind: 'screen' });
    expect(await agent.next('channel.open')).toMatchObject({ sessionId, channel: 1 });
    agent.send({ v: 1, type: 'channel.opened', id: newMessageId(), sessionId, channel: 1 });
    await opened;

    const atAgent: string[] = [];
    agent.ws.on('message', (d: Buffer, isBinary: boolean) => {
      const f = isBinary ? parseChannelFrame(new Uint8Array(d)) : undefined;
      if (f?.ok && f.frame.kind === 'data') atAgent.push(Buffer.from(f.frame.payload).toString());
    });
    const atTech: string[] = [];
    tech.onBinary((bytes) => {
      const f = parseChannelFrame(bytes);
      if (f.ok && f.frame.kind === 'data') atTech.push(Buffer.from(f.frame.payload).toString());
    });
    tech.sendBinary(encodeChannelFrame({ kind: 'data', sessionId, channel: 1, payload: Buffer.from('RFB 003.008 from the viewer') }));
    agent.ws.send(encodeChannelFrame({ kind: 'data', sessionId, channel: 1, payload: Buffer.from('framebuffer from the server') }), { binary: true });
    await until(() => atAgent.length === 1 && atTech.length === 1, 'one frame each way across the bus', () => `agent ${JSON.stringify(atAgent)}, technician ${JSON.stringify(atTech)}`);
    expect([atAgent, atTech]).toEqual([['RFB 003.008 from the viewer'], ['framebuffer from the server']]);

    // The owning instance's relay checks still apply: a frame for a session that is not the device's goes nowhere.
    agent.ws.send(encodeChannelFrame({ kind: 'data', sessionId: 'ses-not-yours', channel: 1, payload: Buffer.from('forged') }), { binary: true });
    agent.ws.send(encodeChannelFrame({ kind: 'data', sessionId, channel: 1, payload: Buffer.from('after the forged one') }), { binary: true });
    await until(() => atTech.length === 2, 'the good frame after the forged one', () => JSON.stringify(atTech));
    expect(atTech).toEqual(['framebuffer from the server', 'after the forged one']);
  });
});
