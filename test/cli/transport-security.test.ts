// Tokens never cross the network in clear text by default: the relay refuses a
// plain listener on a non-loopback host and the technician CLI refuses ws:// to
// one, unless --insecure says so out loud.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { ensureBuilt, runCli, startCli } from './built-cli.js';

beforeAll(ensureBuilt, 120_000);

describe('porchlight relay on a non-loopback host', () => {
  const data = mkdtempSync(join(tmpdir(), 'pl-relay-tls-'));
  afterAll(() => rmSync(data, { recursive: true, force: true }));

  it('refuses to listen without --cert/--key', async () => {
    const run = startCli(['relay', '--host', '0.0.0.0', '--port', '0', '--data', data]);
    // Were the defence gone it would listen: stop it then, and fail.
    const listened = await run.waitForOutput('listening').then(
      () => run.child.kill('SIGTERM'),
      () => false,
    );
    const r = await run.done;
    expect(listened).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to listen on 0.0.0.0 without TLS');
    expect(r.stdout).not.toContain('listening');
  });

  it('with --insecure, goes on to listen after a loud warning', async () => {
    // 192.0.2.1 (TEST-NET) is on no interface: the bind itself fails, so nothing listens off-host during the test.
    const r = await runCli(['relay', '--host', '192.0.2.1', '--port', '0', '--insecure', '--data', data]);
    expect(r.stderr).toContain('WARNING: --insecure: listening on 192.0.2.1 without TLS');
    expect(r.stderr).not.toContain('refusing');
    expect(r.stderr).toMatch(/EADDRNOTAVAIL/);
  });
});

describe('technician CLI and ws:// to a non-loopback relay', () => {
  let t: TestRelay;
  let token: string;
  // 0.0.0.0 reaches this host's relay but is not a loopback name, like a LAN address would be.
  let offHost: string;
  beforeAll(async () => {
    t = await startTestRelay();
    token = await t.addTechnician('alice');
    offHost = `ws://0.0.0.0:${t.relay.port}`;
  });
  afterAll(() => t.close());

  it('session close refuses it (exit 2) before sending the token', async () => {
    const r = await runCli(['session', 'close', '--relay', offHost, '--token', token, '--ticket', 'INC1', '--outcome', 'resolved']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('relay URL must use wss://');
    expect(r.stderr).toContain('--insecure');
  });

  it('session close with --insecure talks to the relay', async () => {
    const r = await runCli(['session', 'close', '--relay', offHost, '--token', token, '--ticket', 'INC1', '--outcome', 'resolved', '--insecure']);
    // The relay answered (no session on this ticket): the URL check let it through.
    expect(r.stderr).not.toContain('wss://');
    expect(r.code).toBe(6);
  });

  it('request refuses it too (exit 2)', async () => {
    const r = await runCli(['request', '--relay', offHost, '--token', token, '--device', 'dev-1', '--ticket', 'INC1', '--reason', 'printer', '--scopes', 'view']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('relay URL must use wss://');
  });
});
