// The docs copy-paste: every ```sh walkthrough block of README.md and docs/
// runs in order, as written, in one bash against the built CLI, with a temp
// dir as cwd and a free port for 7443 (issue 14).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureBuilt, BIN } from '../cli/built-cli.js';
import { freePort } from '../fault/processes.js';
import { docFiles, fencedBlocks, walkthroughBlocks } from './doc-blocks.js';

const dir = mkdtempSync(join(tmpdir(), 'pl-walkthrough-'));
beforeAll(ensureBuilt, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let ran = false;

/** Runs the script in bash (-e: a failing line fails the walkthrough); kills what it left running. */
function runBash(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-e', '-c', `trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n${script}`], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      out += `\n[walkthrough timed out after ${timeoutMs} ms]`;
      process.kill(-child.pid!, 'SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('the walkthrough in README.md and docs/', () => {
  it('is there, and every shell block in README.md says npx porchlight (bare porchlight is not on PATH in a checkout)', () => {
    expect(walkthroughBlocks().length).toBeGreaterThanOrEqual(2);
    for (const file of docFiles()) {
      for (const block of fencedBlocks(file, /^(sh|bash|shell)\b/)) {
        const bare = block.code.split('\n').filter((l) => /(^|[|;&(]\s*|\$\()porchlight /.test(l));
        expect(bare, `${file}:${block.line}`).toEqual([]);
      }
    }
  });

  it('runs top to bottom against the built CLI', async () => {
    const port = String(await freePort());
    // `npx porchlight` is this checkout's bin; 7443 becomes a free port.
    const script = walkthroughBlocks()
      .map((b) => `# --- ${b.file}:${b.line}\n${b.code.replaceAll('npx porchlight', `node ${JSON.stringify(BIN)}`).replaceAll('7443', port)}`)
      .join('\n');
    const env = { PATH: `${dirname(process.execPath)}:${process.env.PATH}`, HOME: dir, PORCHLIGHT_RELAY_DATA: join(dir, 'unused-default') };
    const r = await runBash(script, env, 60_000);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('request exited 4');
    expect(r.out).toMatch(/no-user-present/);
    expect(r.out).toMatch(/intact: \d+ records/);
    expect(r.out).toMatch(/anchors: \d+ relay anchors of device LAPTOP-0042 match/);
    expect(r.out).toMatch(/VERIFIED: ticket INC0012345: .* \(pinned\)/);
    // docs/relay.md's accounts block ran against the walkthrough's data dir, not a default one.
    expect(r.out).toContain('technician bob removed');
    expect(r.out).toMatch(/one-time enrollment token for device LAPTOP-0043/);
    expect(r.out).toMatch(/one-time RE-KEY token for device LAPTOP-0042 \(replaces key [A-Z0-9-]+\)/);
    expect(r.out).toMatch(/technician contractor1 \(contractor1\) added to group helpdesk/);
    // docs/evidence.md's report is of a month that has the walkthrough's data (UTC, --format json).
    expect(r.out).toMatch(/^ {2}"timeZone": "UTC",\n.*\n.*\n.*\n {2}"requests": 2,\n {2}"sessions": 1,$/m);
    ran = true;
  }, 90_000);

  // Followed inside the checkout, the walkthrough must not leave keys or tokens for `git add -A`.
  it('leaves nothing with a key or token in it that .gitignore does not ignore', () => {
    expect(ran, 'the walkthrough ran first').toBe(true);
    const root = new URL('../..', import.meta.url).pathname;
    // HOME is the temp dir too: its dot-dirs are not in a checkout.
    const left = readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.')).map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
    const check = spawnSync('git', ['check-ignore', '--no-index', '--stdin'], { cwd: root, input: left.join('\n'), encoding: 'utf8' });
    const ignored = new Set(check.stdout.split('\n').filter(Boolean));
    const secrets = ['relay-data/', 'approvals-key.json', 'approval.json', 'agent-data/', 'agent.json'];
    expect(left).toEqual(expect.arrayContaining(secrets));
    expect(secrets.filter((s) => !ignored.has(s))).toEqual([]);
    // What is left unignored is output a reader asked for, nothing else.
    expect(left.filter((f) => !ignored.has(f)).sort()).toEqual(['INC0012345-evidence.json', 'anchors.jsonl', 'month.html']);
  });
});
