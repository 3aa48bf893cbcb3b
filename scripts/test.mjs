// The whole test command (README, .ci/run): lint, typecheck, build, vitest,
// Playwright in Debian Chromium; ends with one plain summary line
// "tests: N passed, N failed, N skipped" and a non-zero exit on any failure.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNode } from './ensure-node.mjs';
import { clearStaleResults, summarise } from './test-summary.mjs';

await ensureNode(import.meta.url);

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'test-results');
mkdirSync(out, { recursive: true });
// On Windows the .bin entries are .cmd files, which only run through a shell (CI: .github/workflows/ci.yml).
const onWindows = process.platform === 'win32';
const bin = (name) => join(root, 'node_modules/.bin', onWindows ? `${name}.cmd` : name);

const vitestJson = join(out, 'vitest.json');
const playwrightJson = join(out, 'playwright.json');
// Counts come only from result files this run writes: an earlier run's must not stand in for a crash.
clearStaleResults([vitestJson, playwrightJson]);

const steps = [
  ['lint', bin('eslint'), ['--max-warnings', '0', '.']],
  ['dead code (knip)', bin('knip'), []],
  ['workflows', process.execPath, [join(root, 'scripts/check-workflows.mjs')]],
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
  const shell = onWindows && cmd !== process.execPath;
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env }, shell });
  const verdict = r.status === 0 ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`;
  console.log(`=== ${name}: ${verdict} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (r.status !== 0) failedSteps.push(name);
}

const summary = summarise({ vitest: vitestJson, playwright: playwrightJson }, failedSteps);
console.log(`\n${summary.lines.join('\n\n')}`);
process.exitCode = summary.ok ? 0 : 1;
