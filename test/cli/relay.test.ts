// `porchlight relay` and its admin commands as child processes: start, add a
// technician, enroll a device, route a request, read the audit, stop cleanly.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { connectAgent, acceptAndFinish } from '../relay/scripted-agent.js';
import { ensureBuilt, runCli, startCli } from './built-cli.js';

beforeAll(ensureBuilt, 120_000);

describe('porchlight relay', () => {
  it('runs from a data dir: admin commands, a routed request, the ticket audit, clean shutdown', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pl-relay-'));
    const add = await runCli(['relay', 'add-technician', '--name', 'alice', '--group', 'helpdesk', '--display', 'Alice Moreau', '--data', data]);
    expect(add.code).toBe(0);
    const token = add.stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(data, 'relay-key.json')).mode & 0o777).toBe(0o600);
    // Only the token's hash is stored.
    for (const f of ['relay.db', 'relay.db-wal']) if (existsSync(join(data, f))) expect(readFileSync(join(data, f)).includes(token)).toBe(false);
    const enroll = await runCli(['relay', 'enroll-device', '--device', 'dev-7', '--data', data]);
    expect(enroll.code).toBe(0);
    const enrollToken = enroll.stdout.split('\n')[1]!;

    const relay = startCli(['relay', '--port', '0', '--data', data]);
    const banner = await relay.waitForOutput(/listening on (ws:\/\/\S+)/);
    expect(banner).toMatch(/relay key fingerprint: [A-Z2-7]{4}(-[A-Z2-7]{4}){4}/);
    const url = /listening on (ws:\/\/\S+)/.exec(banner)![1]!;

    const connected = await connectAgent(url, { deviceId: 'dev-7', enrollmentToken: enrollToken });
    if (!connected.ok) throw new Error('agent did not connect');
    connected.agent.answer = acceptAndFinish(['view']);
    const req = await runCli(['request', '--relay', url, '--token', token, '--device', 'dev-7', '--ticket', 'INC7', '--reason', 'Teams has no audio', '--scopes', 'view,control', '--close-outcome', 'escalated']);
    expect(req.code).toBe(3);

    const audit = await runCli(['relay', 'audit', '--ticket', 'INC7', '--format', 'jsonl', '--data', data]);
    expect(audit.code).toBe(0);
    const kinds = audit.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { kind: string }).kind);
    expect(kinds).toEqual(['request', 'decision', 'session-started', 'session-end', 'session-summary', 'close']);
    const text = await runCli(['relay', 'audit', '--ticket', 'INC7', '--data', data]);
    expect(text.stdout).toContain('ticket closed: escalated');

    const agentClosed = new Promise<void>((r) => connected.agent.ws.once('close', () => r()));
    relay.child.kill('SIGTERM');
    const stopped = await relay.done;
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('relay stopped');
    await agentClosed;
    // Shutdown signed a checkpoint of the audit head with the relay key.
    const { SqliteStorage } = await import('../../src/relay/storage/sqlite-storage.js');
    const { verifyAuditCheckpoint } = await import('../../src/relay/audit/checkpoint.js');
    const storage = new SqliteStorage(join(data, 'relay.db'));
    const checkpoint = await storage.latestCheckpoint();
    expect(checkpoint?.seq).toBe((await storage.auditHead())?.seq);
    const relayPublicKey = /relay public key: (\S+)/.exec(banner)![1]!;
    expect(verifyAuditCheckpoint(checkpoint!, relayPublicKey)).toBe(true);
    await storage.close();
  });

  it('refuses a retention under 30 days', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pl-relay-'));
    expect((await runCli(['relay', '--retention-days', '7', '--data', data])).code).toBe(2);
  });

  it('has help for every relay-side command', async () => {
    for (const cmd of ['relay', 'request', 'session', 'keys', 'approve']) {
      let stdout = '';
      const out = new PassThrough().on('data', (d) => (stdout += d));
      expect(await main([cmd, '--help'], { stdout: out, stderr: new PassThrough(), env: {}, signal: new AbortController().signal })).toBe(0);
      expect(stdout).toMatch(/^Usage:/);
    }
  });
});
