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

const token = 'T'.repeat(32);
let t: TestRelay | undefined;
beforeAll(async () => {
  await ensureBuilt();
  if (hasOpenssl) t = await startTestRelay({ tls: selfSigned() });
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

describe('the headless agent', () => {
  it('logs why it cannot reach the relay, once, while it keeps retrying', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-agent-cause-'));
    const port = await freePort();
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ deviceId: 'dev-1', dataDir: join(dir, 'data'), policy: { relayUrl: `ws://127.0.0.1:${port}` } }));
    const agent = startCli(['agent', '--headless', '--config', join(dir, 'agent.json')]);
    try {
      await agent.waitForStderr(`cause: nothing accepts connections on 127.0.0.1:${port} (connection refused)`);
    } finally {
      agent.child.kill('SIGTERM');
      await agent.done;
    }
  });
});
