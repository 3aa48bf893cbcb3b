// The production picture of docs/deploy.md, with every part real: two relay processes sharing
// PostgreSQL and Redis, behind HAProxy running docs/examples/haproxy.cfg as shipped, a real agent
// and a technician who only know the load balancer's address. Kill -9 the instance the agent is
// on during a session: the technician hears the session end, the agent comes back through the
// load balancer to the other instance, a new request succeeds, and the central audit verifies.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/core/agent.js';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { verifyAuditChain } from '../../src/relay/audit/audit-record.js';
import { PostgresStorage } from '../../src/relay/storage/postgres-storage.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { ensureBuilt, runCli, startCli, type RunningCli } from '../cli/built-cli.js';
import { ScriptedUi } from '../core/scripted-ui.js';
import { until } from '../support/bounded-wait.js';
import { tearDownRelayPair } from './relay-pair-teardown.js';
import { postgresBinDir, startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { redisInstalled, startRedis, type RedisServer } from '../support/redis-server.js';
import { freePort } from '../support/free-port.js';

const HAPROXY = '/usr/sbin/haproxy';
const CONFIG = join(import.meta.dirname, '../../docs/examples/haproxy.cfg');
const ready = existsSync(HAPROXY) && postgresBinDir() !== null && redisInstalled();
if (!ready) console.warn('load-balancer: needs haproxy, postgresql and redis-server (apt-get install haproxy postgresql redis-server); skipped');

let pg: PostgresServer;
let redis: RedisServer;
let url: string;
let lb: ChildProcess | undefined;
let lbUrl: string;
const relays: RunningCli[] = [];
const data = mkdtempSync(join(tmpdir(), 'pl-lb-'));
let agent: Agent | undefined;
const tech: TechnicianClient[] = [];

beforeAll(async () => {
  if (!ready) return;
  await ensureBuilt();
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  url = await pg.createDatabase('lb');
}, 120_000);
afterAll(async () => {
  for (const t of tech) await t.close();
  await tearDownRelayPair({ agent, lb, relays, pg, redis, data });
});

const request = (deviceId: string, ticket: string): Message<'tech.request'> => ({
  v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: ticket }, reason: 'VPN drops every hour', scopes: ['view'], mode: 'attended', estimatedMinutes: 15,
});

/** Send requests until one is pending (the device may still be on its way back); bounded. */
async function requestUntilPending(client: TechnicianClient, deviceId: string, ticket: string): Promise<Message<'session.pending'>> {
  const seen: string[] = [];
  for (let attempt = 0; attempt < 40; attempt++) {
    const msg = request(deviceId, ticket);
    const reply = client.waitFor((m) => (m.type === 'session.pending' || (m.type === 'error' && m.re === msg.id) ? m : undefined));
    client.send(msg);
    const answer = await reply;
    if (answer?.type === 'session.pending') return answer;
    seen.push(answer?.type === 'error' ? answer.code : 'nothing');
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no request became pending: ${seen.join(', ')}`);
}

describe.runIf(ready)('relay instances behind HAProxy', () => {
  it('the technician and the agent know one address; losing an instance loses nothing that was acknowledged', async () => {
    const env = { PORCHLIGHT_RELAY_DATABASE_URL: url };
    const token = (await runCli(['relay', 'add-technician', '--name', 'alice', '--group', 'helpdesk', '--data', data], env)).stdout.trim().split('\n').at(-1)!;
    const enrollment = (await runCli(['relay', 'enroll-device', '--device', 'lb-dev', '--data', data], env)).stdout.split('\n')[1]!;

    const ports: number[] = [];
    for (const id of ['relay-1', 'relay-2']) {
      const relay = startCli(['relay', '--port', '0', '--data', data, '--storage', url, '--bus', redis.url, '--instance-id', id, '--bus-alive-ms', '1000']);
      relays.push(relay);
      ports.push(Number(/\(port (\d+)\)/.exec(await relay.waitForOutput(/\(port \d+\)/))![1]));
    }
    const relayKey = /relay public key: (\S+)/.exec(relays[0]!.stdout())![1]!;
    const lbPort = await freePort();
    const lbEnv = { ...process.env, PORCHLIGHT_LB_BIND: `127.0.0.1:${lbPort}`, PORCHLIGHT_RELAY_1: `127.0.0.1:${ports[0]}`, PORCHLIGHT_RELAY_2: `127.0.0.1:${ports[1]}` };
    const check = spawnSync(HAPROXY, ['-c', '-f', CONFIG], { env: lbEnv, encoding: 'utf8' });
    expect(check.status, check.stderr + check.stdout).toBe(0);
    lb = spawn(HAPROXY, ['-db', '-f', CONFIG], { env: lbEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let lbLog = '';
    lb.stderr!.on('data', (d: Buffer) => (lbLog = (lbLog + d.toString()).slice(-4000)));
    lbUrl = `ws://127.0.0.1:${lbPort}`;
    const lbExit = () => (lb!.exitCode === null ? 'running' : `exited ${lb!.exitCode}: ${lbLog}`);

    const ui = new ScriptedUi();
    agent = createAgent({
      ui,
      dataDir: mkdtempSync(join(data, 'agent-')),
      deviceId: 'lb-dev',
      enrollmentToken: enrollment,
      backoff: { baseMs: 100, capMs: 500 },
      policy: { ...DEFAULT_POLICY, relayUrl: lbUrl, relayPublicKey: relayKey },
    });
    await agent.start();
    await until(() => agent!.status().connection === 'connected', 'the agent to connect through HAProxy', () => `${JSON.stringify(agent!.status())}; haproxy ${lbExit()}`, { ms: 15_000 });

    const signedIn = await connectTechnician(lbUrl, token);
    if (!signedIn.ok) throw new Error(signedIn.detail);
    tech.push(signedIn.client);
    const alice = signedIn.client;
    const started = alice.waitFor((m) => (m.type === 'session.started' ? m : undefined));
    await requestUntilPending(alice, 'lb-dev', 'INC-LB-1');
    const prompt = await ui.nextPrompt();
    ui.answer(prompt.promptId, ['view']);
    const { sessionId } = (await started)!;

    // Kill -9 the instance holding the agent (the one that enrolled it).
    const holder = relays.findIndex((r) => r.stderr().includes('device lb-dev enrolled'));
    expect(holder).toBeGreaterThanOrEqual(0);
    const ended = alice.waitFor((m) => (m.type === 'session.end' && m.sessionId === sessionId ? m : undefined));
    relays[holder]!.child.kill('SIGKILL');
    // The technician may have been on the killed instance too: then their connection is what ends.
    const endOrLoss = await Promise.race([ended, new Promise<'lost'>((r) => alice.onClose(() => r('lost')))]);
    expect(endOrLoss === 'lost' || (endOrLoss as Message<'session.end'>).sessionId === sessionId).toBe(true);
    await until(() => ui.banners.length > 0 && ui.hidden.includes(sessionId), 'the agent to end the session', () => ui.describe(), { ms: 15_000 });

    // Back through the load balancer to the surviving instance; a new request succeeds.
    await until(() => agent!.status().connection === 'connected', 'the agent to reconnect', () => JSON.stringify(agent!.status()), { ms: 15_000 });
    const again = await connectTechnician(lbUrl, token);
    if (!again.ok) throw new Error(again.detail);
    tech.push(again.client);
    const startedAgain = again.client.waitFor((m) => (m.type === 'session.started' ? m : undefined));
    await requestUntilPending(again.client, 'lb-dev', 'INC-LB-2');
    ui.answer((await ui.nextPrompt()).promptId, ['view']);
    expect(await startedAgain).toMatchObject({ type: 'session.started' });

    const storage = new PostgresStorage({ url });
    try {
      const records = await storage.queryAudit({});
      expect(verifyAuditChain(records)).toEqual({ ok: true });
      expect(records.filter((r) => r.ticketId === 'INC-LB-1').map((r) => r.kind)).toEqual(expect.arrayContaining(['request', 'decision', 'session-started']));
      expect(records.filter((r) => r.ticketId === 'INC-LB-2').map((r) => r.kind)).toEqual(expect.arrayContaining(['request', 'decision', 'session-started']));
    } finally {
      await storage.close();
    }
  });
});
