// `npm start` without the Electron binary: the fallback starts a relay, a demo
// technician, an enrolled device and `porchlight agent --headless`, proves one
// request end to end, and (with --once) exits instead of waiting for Ctrl-C.
// Runs the fallback module directly: start.mjs itself rebuilds dist/, which
// other test files are using.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt } from './built-cli.js';

beforeAll(ensureBuilt, 120_000);

const root = new URL('../..', import.meta.url).pathname;

describe('npm start without Electron', () => {
  it('--once starts relay and headless agent, prints how to send a request, checks one, and exits 0', async () => {
    const script = `import(${JSON.stringify(join(root, 'scripts/start-headless.mjs'))}).then((m) => m.startHeadlessDemo(['--once'], process.env)).then((c) => { process.exitCode = c; })`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise((r) => child.on('close', r));
    expect(out).toMatch(/\[agent\] .* status: connected ws:\/\/127\.0\.0\.1:\d+/);
    // The token in the environment, never on the command line (ps, shell history).
    expect(out).toMatch(/PORCHLIGHT_TOKEN=[A-Za-z0-9_-]{43} npx porchlight request --relay ws:\/\/127\.0\.0\.1:\d+ --device dev-demo --ticket DEMO-1/);
    expect(out).not.toContain('--token');
    expect(out).toContain('check: the request reached the headless agent and declined with no-user-present');
    expect(out).toContain('[relay] relay stopped');
    expect(out).toMatch(/\[agent\] .* stopped/);
    expect(code).toBe(0);
    // The temp dir held the approvals private key and the technician token: it is gone.
    const dir = /data in (\S+)\):/.exec(out)?.[1];
    expect(dir).toMatch(/porchlight-dev-/);
    expect(out).toContain(`${dir} is temporary and is removed on exit.`);
    expect(existsSync(dir!)).toBe(false);
  }, 60_000);
});
