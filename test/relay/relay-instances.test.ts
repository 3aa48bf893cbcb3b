// Real relay processes on one PostgreSQL database and one key (issue 22), with and without --bus:
// technicians and enrollments added by the admin CLI are seen by both, a one-time enrollment
// works once across instances, and what both instances audit is one verified chain.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { verifyAuditChain } from '../../src/relay/audit/audit-record.js';
import { PostgresStorage } from '../../src/relay/storage/postgres-storage.js';
import { connectTechnician } from '../../src/cli/technician/technician-client.js';
import { ensureBuilt, runCli, startCli, type RunningCli } from '../cli/built-cli.js';
import { postgresBinDir, startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { redisInstalled, startRedis, type RedisServer } from '../support/redis-server.js';
import { acceptAndStay, connectAgent } from './scripted-agent.js';

const installed = postgresBinDir() !== null;
let server: PostgresServer;
let url: string;
let redis: RedisServer | undefined;
const data = mkdtempSync(join(tmpdir(), 'pl-pg-relays-'));
const relays: RunningCli[] = [];

beforeAll(async () => {
  if (!installed) return;
  await ensureBuilt();
  server = await startPostgres();
  url = await server.createDatabase('relays');
  if (redisInstalled()) redis = await startRedis();
}, 120_000);
afterAll(async () => {
  for (const r of relays) r.child.kill('SIGTERM');
  await Promise.all(relays.map((r) => r.done));
  await server?.stop();
  await redis?.stop();
});

async function startInstance(extra: string[] = []): Promise<string> {
  const relay = startCli(['relay', '--port', '0', '--data', data, '--storage', url, ...extra]);
  relays.push(relay);
  return /listening on (ws:\/\/\S+)/.exec(await relay.waitForOutput(/listening on (ws:\/\/\S+)/))![1]!;
}

const requestFor = (deviceId: string, ticket: string): Message<'tech.request'> => ({
  v: 1,
  type: 'tech.request',
  id: newMessageId(),
  deviceId,
  ticket: { id: ticket },
  reason: 'Printer queue stuck',
  scopes: ['view'],
  estimatedMinutes: 10,
  mode: 'attended',
});

describe.runIf(installed)('relay instances sharing PostgreSQL', () => {
  it('share technicians, one-time enrollments and one audit chain', async () => {
    const env = { PORCHLIGHT_RELAY_DATABASE_URL: url };
    const added = await runCli(['relay', 'add-technician', '--name', 'alice', '--group', 'helpdesk', '--data', data], env);
    expect(added.code, added.stderr).toBe(0);
    const token = added.stdout.trim().split('\n').at(-1)!;
    const enrolled = await runCli(['relay', 'enroll-device', '--device', 'dev-7', '--data', data], env);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    const enrollment = enrolled.stdout.split('\n')[1]!;

    const [a, b] = [await startInstance(), await startInstance()];
    const online = await connectAgent(b, { deviceId: 'dev-7', enrollmentToken: enrollment });
    expect(online.ok).toBe(true);
    // The same one-time token on the other instance: already spent.
    expect(await connectAgent(a, { deviceId: 'dev-7', enrollmentToken: enrollment })).toMatchObject({ ok: false });

    // The technician signs in on both; requests for a device not on that instance are refused and audited by each.
    const answers = await Promise.all(
      [a, b].map(async (relayUrl, i) => {
        const tech = await connectTechnician(relayUrl, token);
        if (!tech.ok) throw new Error(tech.detail);
        const replies = Array.from({ length: 10 }, (_, n) => {
          const msg = requestFor('dev-none', `INC-${i}-${n}`);
          const reply = tech.client.waitFor((m) => (m.type === 'error' && m.re === msg.id ? m : undefined));
          tech.client.send(msg);
          return reply;
        });
        const codes = (await Promise.all(replies)).map((m) => m?.code);
        await tech.client.close();
        return codes;
      }),
    );
    expect(answers.flat()).toEqual(new Array(20).fill('agent-offline'));

    const storage = new PostgresStorage({ url });
    try {
      const records = await storage.queryAudit({});
      expect(verifyAuditChain(records)).toEqual({ ok: true });
      expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
      expect(records.filter((r) => r.kind === 'rejected').map((r) => r.ticketId).sort()).toEqual(
        [0, 1].flatMap((i) => Array.from({ length: 10 }, (_, n) => `INC-${i}-${n}`)).sort(),
      );
    } finally {
      await storage.close();
    }
    // The admin CLI reads the same records.
    const audit = await runCli(['relay', 'audit', '--ticket', 'INC-1-3', '--data', data], env);
    expect(audit.stdout).toContain('agent-offline');
    const month = new Date().toISOString().slice(0, 7);
    const report = await runCli(['report', '--month', month, '--format', 'json', '--data', data], env);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain('"month"');
    const bundle = join(data, 'INC-0-0.json');
    const evidence = await runCli(['evidence', '--ticket', 'INC-0-0', '--out', bundle, '--data', data], env);
    expect(evidence.code, evidence.stderr).toBe(0);
    const verified = await runCli(['evidence', 'verify', bundle]);
    expect([verified.code, verified.stdout]).toEqual([0, expect.stringMatching(/^VERIFIED: ticket INC-0-0: 1 relay records/)]);
  });

  it('a database URL that is not PostgreSQL is a usage error; an unreachable one names the cause', async () => {
    const bad = await runCli(['relay', '--port', '0', '--data', data, '--storage', 'mysql://db/x']);
    expect([bad.code, bad.stderr.trim()]).toEqual([2, expect.stringContaining('must start with postgres:// or postgresql://')]);
    const down = await runCli(['relay', '--port', '0', '--data', data, '--storage', 'postgres://porchlight@127.0.0.1:1/none']);
    expect([down.code, down.stderr.trim()]).toEqual([1, 'error: audit-unavailable: the relay database cannot be reached (ECONNREFUSED)']);
  });

  it.runIf(redisInstalled())('with --bus, a technician on one instance runs a session with a device on the other; kill -9 of that instance ends it', async () => {
    const env = { PORCHLIGHT_RELAY_DATABASE_URL: url };
    const added = await runCli(['relay', 'add-technician', '--name', 'bea', '--group', 'helpdesk', '--data', data], env);
    const token = added.stdout.trim().split('\n').at(-1)!;
    const enrolled = await runCli(['relay', 'enroll-device', '--device', 'dev-8', '--data', data], env);
    const a = await startInstance(['--bus', redis!.url, '--instance-id', 'relay-a', '--bus-alive-ms', '1000']);
    const b = await startInstance(['--bus', redis!.url, '--instance-id', 'relay-b', '--bus-alive-ms', '1000']);
    expect(relays.at(-1)!.stdout()).toContain('bus: Redis 127.0.0.1');
    const online = await connectAgent(b, { deviceId: 'dev-8', enrollmentToken: enrolled.stdout.split('\n')[1]! });
    if (!online.ok) throw new Error('dev-8 did not enroll');
    online.agent.answer = acceptAndStay();

    const tech = await connectTechnician(a, token);
    if (!tech.ok) throw new Error(tech.detail);
    const started = tech.client.waitFor((m) => (m.type === 'session.started' ? m : undefined));
    // A sees B's device as soon as B announced it; until then the answer is agent-offline.
    let first: Message | null = null;
    for (let attempt = 0; attempt < 50 && first?.type !== 'session.pending'; attempt++) {
      const msg = requestFor('dev-8', 'INC-BUS-P');
      const reply = tech.client.waitFor((m) => ((m.type === 'session.pending' || m.type === 'error') && (m.type === 'error' ? m.re === msg.id : true) ? m : undefined));
      tech.client.send(msg);
      first = await reply;
    }
    expect(first).toMatchObject({ type: 'session.pending' });
    const { sessionId } = (await started)!;

    const ended = tech.client.waitFor((m) => (m.type === 'session.end' ? m : undefined));
    relays.at(-1)!.child.kill('SIGKILL');
    expect(await ended).toMatchObject({ sessionId, by: 'agent-lost', reason: 'the device disconnected during the session' });
    await tech.client.close();
  });
});
