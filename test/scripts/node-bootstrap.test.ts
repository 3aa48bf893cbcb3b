// `npm start` / `npm test` on a machine whose global Node is too old (issue 14):
// the shared scripts/ensure-node.mjs re-runs with a private Node 24 or says in
// one line what to do; `npm test` never prints a count this run did not produce.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain .mjs build script without types
import { clearStaleResults, summarise } from '../../scripts/test-summary.mjs';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pl-node-bootstrap-'));
const oldNode = ['/usr/bin/node', '/bin/node'].find((p) => existsSync(p) && !/^v(2[3-9]|22\.(1[3-9]|[2-9]\d))/.test(spawnSync(p, ['--version'], { encoding: 'utf8' }).stdout));
const privatePrefix = join(homedir(), '.cache/porchlight/node24');
const probe = join(dir, 'probe.mjs');
writeFileSync(probe, `import { ensureNode } from ${JSON.stringify(join(root, 'scripts/ensure-node.mjs'))};\nawait ensureNode(import.meta.url);\nconsole.log(process.version, process.argv.slice(2).join(' '));\n`);

describe.runIf(oldNode)(`a global Node older than 22.13 (${oldNode})`, () => {
  it.runIf(existsSync(join(privatePrefix, 'node_modules/.bin/node')))('re-runs the script with the private Node 24, arguments and all', () => {
    const r = spawnSync(oldNode!, [probe, 'a', 'b'], { encoding: 'utf8', env: { ...process.env, PORCHLIGHT_NODE_PREFIX: privatePrefix } });
    expect([r.status, r.stdout]).toEqual([0, expect.stringMatching(/^v24\.\d+\.\d+ a b\n$/)]);
  });

  it('says in one line what to do when the private Node cannot be installed, in seconds', () => {
    const started = Date.now();
    const env = { ...process.env, PORCHLIGHT_NODE_PREFIX: join(dir, 'empty'), npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' };
    const r = spawnSync(oldNode!, [probe], { encoding: 'utf8', env });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^error: this project needs Node >= 22\.13 \(this is v\d+.*\) and installing node@24 into .* failed .*ECONNREFUSED.*; install Node 24 \(`nvm install` reads \.nvmrc\) or run: npm install --prefix /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it.runIf(existsSync(join(privatePrefix, 'node_modules/.bin/node')))('the porchlight bin (npx porchlight) re-runs itself with the private Node', () => {
    const r = spawnSync(oldNode!, [join(root, 'bin/porchlight.js'), '--version'], { encoding: 'utf8', env: { ...process.env, PORCHLIGHT_NODE_PREFIX: privatePrefix } });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, expect.stringMatching(/^\d+\.\d+\.\d+\n$/), '']);
  });

  it.each(['scripts/start.mjs', 'scripts/test.mjs'])('%s (npm start / npm test) checks the Node version before doing anything else', (script) => {
    const env = { ...process.env, PORCHLIGHT_NODE_PREFIX: join(dir, 'none'), PORCHLIGHT_NO_NODE_INSTALL: '1' };
    const r = spawnSync(oldNode!, [join(root, script)], { encoding: 'utf8', env, cwd: dir });
    // One line, no node:sqlite stack, nothing built or linted first.
    expect([r.status, r.stdout, r.stderr]).toEqual([1, '', expect.stringMatching(/^error: this project needs Node >= 22\.13 \(this is v[\d.]+\) and PORCHLIGHT_NO_NODE_INSTALL=1 forbids installing one; install Node 24 .*\n$/)]);
  });

  it('the porchlight bin says in one line what to do when no private Node may be installed', () => {
    const env = { ...process.env, PORCHLIGHT_NODE_PREFIX: join(dir, 'none'), PORCHLIGHT_NO_NODE_INSTALL: '1' };
    const r = spawnSync(oldNode!, [join(root, 'bin/porchlight.js'), 'errors'], { encoding: 'utf8', env });
    expect([r.status, r.stderr]).toEqual([1, expect.stringMatching(/^error: this project needs Node >= 22\.13 \(this is v[\d.]+\) and PORCHLIGHT_NO_NODE_INSTALL=1 forbids installing one; install Node 24 .*\n$/)]);
  });
});

describe('the project names its Node', () => {
  it('keeps engines >= 22.13 and pins 24 in .nvmrc and .node-version', () => {
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node).toBe('>=22.13');
    expect(readFileSync(join(root, '.nvmrc'), 'utf8').trim()).toBe('24');
    expect(readFileSync(join(root, '.node-version'), 'utf8').trim()).toBe('24');
  });

  it('npm start, npm test and .ci/run all go through scripts/ensure-node.mjs', () => {
    for (const script of ['scripts/start.mjs', 'scripts/test.mjs']) expect(readFileSync(join(root, script), 'utf8')).toContain('await ensureNode(import.meta.url);');
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toContain('node scripts/ensure-node.mjs --bin-dir');
  });
});

describe('npm test summary', () => {
  const vitest = join(dir, 'vitest.json');
  const playwright = join(dir, 'playwright.json');
  const writeResults = () => {
    writeFileSync(vitest, JSON.stringify({ numPassedTests: 697, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0 }));
    writeFileSync(playwright, JSON.stringify({ stats: { expected: 40, flaky: 1, unexpected: 0, skipped: 2 } }));
  };

  it('counts the result files of this run', () => {
    writeResults();
    expect(summarise({ vitest, playwright }, [])).toEqual({ lines: ['tests: 738 passed, 0 failed, 2 skipped'], ok: true });
  });

  it('clears an earlier run\'s files, so crashed runners are reported as failed, not with old counts', () => {
    writeResults();
    clearStaleResults([vitest, playwright]);
    expect(summarise({ vitest, playwright }, ['vitest', 'playwright'])).toEqual({
      lines: ['failed steps: vitest, playwright', 'tests: INCOMPLETE: vitest and playwright crashed before reporting any result; counted so far: 0 passed, 0 failed, 0 skipped'],
      ok: false,
    });
  });

  it('a runner that wrote nothing fails the run even when its process exited 0', () => {
    writeResults();
    clearStaleResults([playwright]);
    const s = summarise({ vitest, playwright }, []);
    expect(s.ok).toBe(false);
    expect(s.lines[0]).toBe('failed steps: playwright');
  });
});
