// The other syslog transports against a real rsyslogd: tcp+tls (RFC 5425) with
// a private CA through --syslog-ca (rsyslog's gtls driver, package
// rsyslog-gnutls), refused without it; udp:// for labs. And the flags' usage errors.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '../support/bounded-wait.js';
import { hasRsyslog, hasRsyslogTls, RsyslogServer } from '../support/rsyslog-server.js';
import { hasOpenssl } from '../../test/relay/self-signed-cert.js';
import { testCa } from '../support/test-ca.js';
import { ensureBuilt, runCli, startCli, type RunningCli } from './built-cli.js';

const SD_ID = 'porchlight@32473';
const running: RunningCli[] = [];
const receivers: RsyslogServer[] = [];

async function relayWith(args: string[]): Promise<{ relay: RunningCli; data: string }> {
  const data = mkdtempSync(join(tmpdir(), 'pl-stream-t-'));
  const relay = startCli(['relay', '--port', '0', '--data', data, ...args]);
  running.push(relay);
  await relay.waitForOutput(/listening on ws:\/\//);
  return { relay, data };
}

async function addTechnician(data: string, name: string): Promise<void> {
  const r = await runCli(['relay', 'add-technician', '--name', name, '--group', 'helpdesk', '--data', data]);
  expect(r.code, r.stderr).toBe(0);
}

beforeAll(() => ensureBuilt(), 120_000);

afterEach(async () => {
  for (const r of running.splice(0)) {
    r.child.kill('SIGTERM');
    await r.done;
  }
  for (const s of receivers.splice(0)) await s.stop();
});

describe.skipIf(!hasRsyslog || !hasRsyslogTls || !hasOpenssl)('relay --syslog tcp+tls:// with a private CA', () => {
  it('verifies the receiver against --syslog-ca and delivers over TLS; without the CA it refuses to send', async () => {
    const ca = testCa();
    const rsyslog = new RsyslogServer({ transport: 'tcp', tls: ca });
    receivers.push(rsyslog);
    await rsyslog.start();
    const target = `tcp+tls://127.0.0.1:${rsyslog.port}`;
    // Not trusting the private CA: the certificate is refused, nothing is sent, the relay says why and keeps retrying.
    const untrusting = await relayWith(['--syslog', target]);
    await untrusting.relay.waitForStderr(/syslog tcp\+tls:\/\/127\.0\.0\.1:\d+ unreachable \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|[^)]*certificate[^)]*), attempt 1\)/);
    const { relay, data } = await relayWith(['--syslog', target, '--syslog-ca', ca.caFile]);
    await relay.waitForStderr(/syslog tcp\+tls:\/\/\S+ connected/);
    await addTechnician(data, 'tess');
    await until(() => rsyslog.received().some((m) => m.msgid === 'admin'), 'the admin record over TLS', () => JSON.stringify(rsyslog.received()) + relay.stderr(), { ms: 15_000 });
    const admin = rsyslog.received().find((m) => m.msgid === 'admin')!;
    expect(admin).toMatchObject({ app: 'porchlight', pri: 13 * 8 + 5 });
    expect(admin.sd[SD_ID]).toMatchObject({ 'd.action': 'technician-added', 'd.target': 'tess', technician: 'tess' });
    expect(untrusting.relay.stderr()).not.toMatch(/connected/);
  }, 60_000);
});

describe.skipIf(!hasRsyslog)('relay --syslog udp://', () => {
  it('sends each record as one datagram (labs: nothing confirms it arrived)', async () => {
    const rsyslog = new RsyslogServer({ transport: 'udp' });
    receivers.push(rsyslog);
    await rsyslog.start();
    const { relay, data } = await relayWith(['--syslog', `udp://127.0.0.1:${rsyslog.port}`]);
    await relay.waitForStderr(/syslog udp:\/\/\S+ connected/);
    await addTechnician(data, 'ursula');
    await until(() => rsyslog.received().some((m) => m.msgid === 'admin'), 'the admin record by UDP', () => JSON.stringify(rsyslog.received()), { ms: 15_000 });
    expect(rsyslog.received().find((m) => m.msgid === 'admin')!.sd[SD_ID]).toMatchObject({ 'd.target': 'ursula' });
  }, 60_000);
});

describe('audit streaming flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-stream-flags-'));
  const secret = join(dir, 'secret');
  const short = join(dir, 'short');
  writeFileSync(secret, 'a-long-enough-webhook-secret\n');
  writeFileSync(short, 'tiny\n');
  const cases: Array<[string[], RegExp]> = [
    [['--syslog', 'ftp://siem:514'], /--syslog: scheme must be tcp\+tls:\/\/, tcp:\/\/, udp:\/\//],
    [['--syslog', 'tcp://siem'], /--syslog: must be scheme:\/\/host:port/],
    [['--syslog', 'tcp://siem:514/path'], /--syslog: must be scheme:\/\/host:port/],
    [['--syslog', 'not a url'], /--syslog: not a URL/],
    [['--syslog', 'tcp://siem:514', '--syslog-ca', secret], /--syslog-ca only applies to a tcp\+tls:\/\/ receiver/],
    [['--syslog', 'tcp+tls://siem:6514', '--syslog-ca', secret], /--syslog-ca: .* holds no PEM certificate/],
    [['--syslog-ca', secret], /--syslog-ca goes with --syslog/],
    [['--audit-jsonl', join(dir, 'missing-dir', 'a.jsonl')], /--audit-jsonl: the directory .* does not exist/],
    [['--audit-jsonl', dir], /--audit-jsonl must name a file/],
    [['--alert-webhook', 'http://hooks.example.com/x', '--alert-webhook-secret-file', secret], /--alert-webhook: must be https:\/\/ \(http:\/\/ only to a loopback address/],
    [['--alert-webhook', 'https://user:pw@hooks.example.com/x', '--alert-webhook-secret-file', secret], /--alert-webhook: must not carry a user name or password/],
    [['--alert-webhook', 'ftp://hooks.example.com/x', '--alert-webhook-secret-file', secret], /--alert-webhook: must be an https:\/\/ URL/],
    [['--alert-webhook', 'https://hooks.example.com/x'], /--alert-webhook and --alert-webhook-secret-file go together/],
    [['--alert-webhook', 'https://hooks.example.com/x', '--alert-webhook-secret-file', short], /the secret must be at least 16 bytes/],
    [['--alert-webhook', 'https://hooks.example.com/x', '--alert-webhook-secret-file', join(dir, 'nope')], /--alert-webhook-secret-file: .* does not exist/],
  ];
  it.each(cases)('relay %j is a usage error (exit 2)', async (args, message) => {
    const r = await runCli(['relay', '--port', '0', '--data', dir, ...args]);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });
});
