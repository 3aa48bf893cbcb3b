// The whole test command (README, .ci/run): lint, typecheck, build, vitest,
// Playwright in Debian Chromium; ends with one plain summary line
// "tests: N passed, N failed, N skipped" and a non-zero exit on any failure.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureNode } from './ensure-node.mjs';
import { clearStaleResults, summarise } from './test-summary.mjs';

await ensureNode(import.meta.url);

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'test-results');
mkdirSync(out, { recursive: true });
const bin = (name) => join(root, 'node_modules/.bin', name);

const vitestJson = join(out, 'vitest.json');
const playwrightJson = join(out, 'playwright.json');
// Counts come only from result files this run writes: an earlier run's must not stand in for a crash.
clearStaleResults([vitestJson, playwrightJson]);

const steps = [
  ['lint', bin('eslint'), ['--max-warnings', '0', '.']],
  ['typecheck (node)', bin('tsc'), ['-p', 'tsconfig.node.json', '--noEmit']],
  ['typecheck (browser tests)', bin('tsc'), ['-p', 'tsconfig.browser-tests.json', '--noEmit']],
  ['typecheck (renderer)', bin('tsc'), ['-p', 'tsconfig.renderer.json', '--noEmit']],
  ['build', process.execPath, [join(root, 'scripts/build.mjs')]],
  ['vitest', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]],
  ['playwright', bin('playwright'), ['test'], { PORCHLIGHT_PW_JSON: playwrightJson }],
];

const failedSteps = [];
for (const [name, cmd, args, env] of steps) {
  console.log(`\n=== ${name}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`=== ${name}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (r.status !== 0) failedSteps.push(name);
}

const summary = summarise({ vitest: vitestJson, playwright: playwrightJson }, failedSteps);
console.log(`\n${summary.lines.join('\n\n')}`);
process.exitCode = summary.ok ? 0 : 1;
