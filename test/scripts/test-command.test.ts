// `npm test` itself (scripts/test.mjs), run for real in a copy of the checkout
// whose tools are stand-ins: an earlier run's result files are there, this
// run's runners crash or write their own. The summary counts only what this
// run wrote (issue 14: a crashed run printed "tests: 697 passed" from old files).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

/** A checkout with the real test scripts and stand-in tools; `vitest` and `playwright` do what they are told. */
function fakeCheckout(tools: { vitest: string; playwright: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pl-npm-test-'));
  mkdirSync(join(dir, 'scripts'));
  for (const f of ['test.mjs', 'test-summary.mjs', 'ensure-node.mjs']) copyFileSync(join(root, 'scripts', f), join(dir, 'scripts', f));
  for (const f of ['check-workflows.mjs', 'build.mjs']) writeFileSync(join(dir, 'scripts', f), '');
  const bin = join(dir, 'node_modules/.bin');
  mkdirSync(bin, { recursive: true });
  const tool = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  for (const name of ['eslint', 'knip', 'tsc']) tool(name, 'exit 0');
  tool('vitest', tools.vitest);
  tool('playwright', tools.playwright);
  // An earlier, green run's result files.
  mkdirSync(join(dir, 'test-results'));
  writeFileSync(join(dir, 'test-results/vitest.json'), JSON.stringify({ numPassedTests: 697, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0 }));
  writeFileSync(join(dir, 'test-results/playwright.json'), JSON.stringify({ stats: { expected: 40, flaky: 0, unexpected: 0, skipped: 0 } }));
  return dir;
}

const npmTest = (dir: string) => spawnSync(process.execPath, [join(dir, 'scripts/test.mjs')], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } });
const lastLines = (out: string, n: number) => out.trimEnd().split('\n').slice(-n);

describe('npm test (scripts/test.mjs)', () => {
  it('runners that crash before writing results: failed, INCOMPLETE, and no count from the earlier run', () => {
    const r = npmTest(fakeCheckout({ vitest: 'echo "No such built-in module: node:sqlite" >&2; exit 1', playwright: 'exit 1' }));
    expect(r.status).toBe(1);
    expect(lastLines(r.stdout, 3)).toEqual(['failed steps: vitest, playwright', '', 'tests: INCOMPLETE: vitest and playwright crashed before reporting any result; counted so far: 0 passed, 0 failed, 0 skipped']);
    expect(r.stdout).not.toMatch(/697|40 passed/);
  });

  it("counts this run's results: vitest writes its file, playwright exits 0 without one and still fails the run", () => {
    // The script passes --outputFile.json=FILE to vitest: write this run's counts there.
    const vitest = 'for a in "$@"; do case "$a" in --outputFile.json=*) echo \'{"numPassedTests":3,"numFailedTests":1,"numPendingTests":0,"numTodoTests":0}\' > "${a#--outputFile.json=}";; esac; done; exit 1';
    const r = npmTest(fakeCheckout({ vitest, playwright: 'exit 0' }));
    expect(r.status).toBe(1);
    expect(lastLines(r.stdout, 3)).toEqual(['failed steps: vitest, playwright', '', 'tests: INCOMPLETE: playwright crashed before reporting any result; counted so far: 3 passed, 1 failed, 0 skipped']);
  });

  it('a green run reports exactly what its runners wrote', () => {
    const vitest = 'for a in "$@"; do case "$a" in --outputFile.json=*) echo \'{"numPassedTests":5,"numFailedTests":0,"numPendingTests":1,"numTodoTests":0}\' > "${a#--outputFile.json=}";; esac; done';
    const playwright = 'echo \'{"stats":{"expected":2,"flaky":0,"unexpected":0,"skipped":0}}\' > "$PORCHLIGHT_PW_JSON"';
    const r = npmTest(fakeCheckout({ vitest, playwright }));
    expect([r.status, lastLines(r.stdout, 1)]).toEqual([0, ['tests: 7 passed, 0 failed, 1 skipped']]);
  });
});
