// `porchlight request` that can't connect says what to do (issue 14): a private
// CA wants --ca FILE; ws:// to a TLS relay wants wss://.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { hasOpenssl, selfSigned } from '../relay/self-signed-cert.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../fault/processes.js';
import { ensureBuilt, runCli, startCli } from './built-cli.js';
import { X509Certificate } from 'node:crypto';
import { spkiSha256 } from '../../src/core/connection/tls-pin.js';

const token = 'T'.repeat(32);
let t: TestRelay | undefined;
const tls = hasOpenssl ? selfSigned() : undefined;
beforeAll(async () => {
  await ensureBuilt();
  if (tls) t = await startTestRelay({ tls });
}, 120_000);
afterAll(() => t?.close());

const request = (relay: string, ...extra: string[]) => runCli(['request', '--relay', relay, '--device', 'dev-1', '--ticket', 'INC1', '--reason', 'r', '--scopes', 'view', ...extra], { PORCHLIGHT_TOKEN: token });

describe.runIf(hasOpenssl)('connect failures of the technician CLI', () => {
  it('an untrusted certificate suggests --ca FILE', async () => {
    const r = await request(t!.relay.url);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: connect-failed: cannot connect as technician: self[- ]signed certificate; if the relay uses a private CA, pass its certificate: --ca FILE\n$/);
    // docs/relay.md promises this exact line (it once promised one that never appeared).
    const promised = /`(error: connect-failed: [^`]+)`/.exec(readFileSync(new URL('../../docs/relay.md', import.meta.url), 'utf8'))?.[1];
    expect(r.stderr).toBe(`${promised}\n`);
  });

  it('ws:// to a relay that speaks TLS says to use wss://', async () => {
    const plain = t!.relay.url.replace(/^wss:/, 'ws:');
    const r = await request(plain);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: connect-failed: cannot connect as technician: .*: this relay speaks TLS: use wss:\/\/ \(wss:\/\/127\.0\.0\.1:\d+\)\n$/);
  });
});

describe.runIf(hasOpenssl)('the headless agent against a TLS relay', () => {
  const runAgent = async (config: Record<string, unknown>, cause: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-agent-tls-cause-'));
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ deviceId: 'dev-tls', dataDir: join(dir, 'data'), ...config }));
    const agent = startCli(['agent', '--headless', '--config', join(dir, 'agent.json')]);
    try {
      await agent.waitForStderr(cause);
    } finally {
      agent.child.kill('SIGTERM');
      await agent.done;
    }
  };

  it('logs an untrusted certificate with its subject and issuer', async () => {
    await runAgent({ policy: { relayUrl: t!.relay.url } }, "cause: the relay's TLS certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT): subject CN=localhost, issuer CN=localhost");
  });

  it('logs a relayTlsPin mismatch with the pinned and the presented fingerprint', async () => {
    const wrongPin = `${'A'.repeat(43)}=`;
    const presented = spkiSha256(new X509Certificate(tls!.cert).raw);
    await runAgent(
      { relayCaFile: tls!.certFile, policy: { relayUrl: t!.relay.url, relayTlsPin: wrongPin } },
      `cause: relay TLS key does not match the pinned key (relayTlsPin): expected ${wrongPin}, the relay presented ${presented}`,
    );
  });
});

describe('the headless agent', () => {
  it('logs why it cannot reach the relay, once, while it keeps retrying', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-agent-cause-'));
    const port = await freePort();
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ deviceId: 'dev-1', dataDir: join(dir, 'data'), policy: { relayUrl: `ws://127.0.0.1:${port}` } }));
    const agent = startCli(['agent', '--headless', '--config', join(dir, 'agent.json')]);
    const cause = `cause: nothing accepts connections on 127.0.0.1:${port} (connection refused)`;
    try {
      await agent.waitForStderr(cause);
      // Two more retries after the cause was named (backoff 0.5 s, 1 s, ...): it is not named again.
      await agent.waitForStderr(new RegExp(`${cause.replace(/[().]/g, '\\$&')}.*\n(?:.*\n)*.*status: connecting.*\n(?:.*\n)*.*status: connecting`), 20_000);
      expect(agent.stderr().split(cause).length - 1).toBe(1);
    } finally {
      agent.child.kill('SIGTERM');
      await agent.done;
    }
  });
});
