// `--ca FILE` on `porchlight request`, `session close` and `agent --headless`:
// trusting a private CA for a wss:// relay without NODE_EXTRA_CA_CERTS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { acceptAndFinish, connectAgent, type ScriptedAgent } from '../relay/scripted-agent.js';
import { hasOpenssl, selfSigned } from '../relay/self-signed-cert.js';
import { NO_DESKTOP_ENV } from '../fault/processes.js';
import { ensureBuilt, runCli, startCli } from './built-cli.js';

let t: TestRelay;
let token: string;
let certFile: string;
let agent: ScriptedAgent | undefined;

/**
 * Start `porchlight agent --headless ARGS`, wait until it is connected over TLS,
 * and send it an attended request: nobody at a headless device answers one, so
 * exit 4 (no user present) proves the request reached it. The agent then stops cleanly.
 */
async function expectRequestReachesHeadlessAgent(agentArgs: string[], deviceId: string): Promise<void> {
  const agentCli = startCli(['agent', '--headless', ...agentArgs], NO_DESKTOP_ENV);
  try {
    await agentCli.waitForStderr(/status: connected/);
    const r = await runCli(['request', '--relay', t.relay.url, '--token', token, '--device', deviceId, '--ticket', 'INC-CA', '--reason', 'Disk full', '--scopes', 'view', '--ca', certFile]);
    expect(r.code).toBe(4);
  } finally {
    agentCli.child.kill('SIGTERM');
    expect((await agentCli.done).code).toBe(0);
  }
}

describe.skipIf(!hasOpenssl)('technician and agent commands over wss:// with a private CA', () => {
  beforeAll(async () => {
    await ensureBuilt();
    const tls = selfSigned();
    certFile = tls.certFile;
    t = await startTestRelay({ tls: { cert: tls.cert, key: tls.key } });
    token = await t.addTechnician('alice');
    const r = await connectAgent(t.relay.url, { deviceId: 'dev-1', enrollmentToken: await t.enroll('dev-1'), ca: tls.cert });
    if (!r.ok) throw new Error('agent did not connect over wss');
    agent = r.agent;
    agent.answer = acceptAndFinish();
  }, 120_000);
  afterAll(async () => {
    await agent?.close();
    await t?.close();
  });

  const request = (extra: string[]) => runCli(['request', '--relay', t.relay.url, '--token', token, '--device', 'dev-1', '--ticket', 'INC-TLS', '--reason', 'Printer', '--scopes', 'view', ...extra]);

  it('refuses the relay certificate without --ca (exit 1, says why)', async () => {
    const r = await request([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/connect-failed: .*(self[- ]signed|certificate)/i);
  });

  it('trusts the private CA given with --ca: request and session close succeed', async () => {
    const r = await request(['--ca', certFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/verification code: \d{6}/);
    const close = await runCli(['session', 'close', '--relay', t.relay.url, '--token', token, '--ticket', 'INC-TLS', '--outcome', 'resolved', '--ca', certFile]);
    expect(close.code).toBe(0);
    expect(close.stdout).toContain('outcome resolved recorded');
    const without = await runCli(['session', 'close', '--relay', t.relay.url, '--token', token, '--ticket', 'INC-TLS', '--outcome', 'resolved']);
    expect(without.code).toBe(1);
  });

  it('rejects a --ca file without a certificate, and --ca with ws:// (exit 2)', async () => {
    const bogus = join(mkdtempSync(join(tmpdir(), 'pl-ca-')), 'not-a-cert.pem');
    writeFileSync(bogus, 'hello\n');
    expect((await request(['--ca', bogus])).code).toBe(2);
    expect((await request(['--ca', join(tmpdir(), 'no-such-file.pem')])).code).toBe(2);
    const plain = await runCli(['request', '--relay', 'ws://127.0.0.1:1', '--token', token, '--device', 'dev-1', '--ticket', 'INC-TLS', '--reason', 'x', '--scopes', 'view', '--ca', certFile]);
    expect(plain.code).toBe(2);
  });

  it('rejects --ca for a headless agent whose config names a ws:// relay (exit 2)', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-ca-agent-ws-'));
    const configFile = join(dir, 'agent.json');
    writeFileSync(configFile, JSON.stringify({ deviceId: 'srv-ws', policy: { relayUrl: 'ws://127.0.0.1:1', relayPublicKey: t.relayKey.publicKey } }));
    const agentCli = startCli(['agent', '--headless', '--config', configFile, '--data', join(dir, 'data'), '--ca', certFile], NO_DESKTOP_ENV);
    // Without the check the daemon would start and keep running; stop it once it says so.
    void agentCli.waitForStderr(/started: device/).then(() => agentCli.child.kill('SIGTERM'), () => undefined);
    const r = await agentCli.done;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--ca only applies to a wss:// relay');
  });

  it('lets a headless agent connect through the config file\'s relayCaFile (no --ca)', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-ca-agent-cfg-'));
    const configFile = join(dir, 'agent.json');
    writeFileSync(configFile, JSON.stringify({ deviceId: 'srv-cfg', enrollmentToken: await t.enroll('srv-cfg'), relayCaFile: certFile, policy: { relayUrl: t.relay.url, relayPublicKey: t.relayKey.publicKey } }));
    await expectRequestReachesHeadlessAgent(['--config', configFile, '--data', join(dir, 'data')], 'srv-cfg');
  });

  it('stops a headless agent whose relayCaFile is not a certificate, or is set for a ws:// relay (exit 1, typed code); --ca overrides it', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-ca-agent-bad-'));
    const bogus = join(dir, 'bogus.pem');
    writeFileSync(bogus, '-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
    const configFile = join(dir, 'agent.json');
    const write = (relayUrl: string) => writeFileSync(configFile, JSON.stringify({ deviceId: 'srv-bad', relayCaFile: bogus, policy: { relayUrl, relayPublicKey: t.relayKey.publicKey } }));
    const run = (extra: string[] = []) => {
      const c = startCli(['agent', '--headless', '--config', configFile, '--data', join(dir, 'data'), ...extra], NO_DESKTOP_ENV);
      // Without the checks the daemon would start and keep running; stop it once it says so.
      void c.waitForStderr(/started: device/).then(() => c.child.kill('SIGTERM'), () => undefined);
      return c;
    };
    write(t.relay.url);
    const bad = await run().done;
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`ca-invalid: relayCaFile: ${bogus} holds an invalid certificate`);
    write('ws://127.0.0.1:1');
    const plain = await run().done;
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('config-invalid: ');
    expect(plain.stderr).toContain('relayCaFile only applies to a wss:// relay');
    // --ca wins over the config's relayCaFile, which is then not read.
    write(t.relay.url);
    const override = run(['--ca', certFile]);
    const started = await override.waitForStderr(/started: device/).then(() => true, () => false);
    expect(started).toBe(true);
    expect((await override.done).code).toBe(0);
  });

  it('lets a headless agent connect through the private CA with --ca', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-ca-agent-'));
    const configFile = join(dir, 'agent.json');
    writeFileSync(configFile, JSON.stringify({ deviceId: 'srv-ca', enrollmentToken: await t.enroll('srv-ca'), policy: { relayUrl: t.relay.url, relayPublicKey: t.relayKey.publicKey } }));
    const without = startCli(['agent', '--headless', '--config', configFile, '--data', join(dir, 'data')], NO_DESKTOP_ENV);
    // The relay is up; the only thing wrong is the certificate the agent doesn't trust.
    await without.waitForStderr(/status: disconnected/);
    without.child.kill('SIGTERM');
    await without.done;
    expect(t.relay.router.isOnline('srv-ca')).toBe(false);

    await expectRequestReachesHeadlessAgent(['--config', configFile, '--data', join(dir, 'data'), '--ca', certFile], 'srv-ca');
  });
});
