// The whole test command (README, .ci/run): lint, typecheck, build, vitest,
// Playwright in Debian Chromium; ends with one plain summary line
// "tests: N passed, N failed, N skipped" and a non-zero exit on any failure.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'test-results');
mkdirSync(out, { recursive: true });
// On Windows the .bin entries are .cmd files, which only run through a shell (CI: .github/workflows/ci.yml).
const onWindows = process.platform === 'win32';
const bin = (name) => join(root, 'node_modules/.bin', onWindows ? `${name}.cmd` : name);

const vitestJson = join(out, 'vitest.json');
const playwrightJson = join(out, 'playwright.json');

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

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(vitestJson)) {
  const v = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  skipped += v.numPendingTests + v.numTodoTests;
}
if (existsSync(playwrightJson)) {
  const s = JSON.parse(readFileSync(playwrightJson, 'utf8')).stats;
  passed += s.expected + s.flaky;
  failed += s.unexpected;
  skipped += s.skipped;
}
if (failedSteps.length > 0) console.log(`\nfailed steps: ${failedSteps.join(', ')}`);
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failedSteps.length > 0 || failed > 0 ? 1 : 0;
