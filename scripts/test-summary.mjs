// The last lines of `npm test`, from the result files this run wrote and
// nothing else: a runner without results crashed, and says so.
import { existsSync, readFileSync, rmSync } from 'node:fs';

const READERS = {
  vitest: (v) => ({ passed: v.numPassedTests, failed: v.numFailedTests, skipped: v.numPendingTests + v.numTodoTests }),
  playwright: ({ stats: s }) => ({ passed: s.expected + s.flaky, failed: s.unexpected, skipped: s.skipped }),
};

/** A runner's counts, or undefined when its result file is missing or unreadable. */
export function readCounts(runner, file) {
  if (!existsSync(file)) return undefined;
  try {
    return READERS[runner](JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

/** { lines, ok } for the given runner -> result file map and the steps that already failed. */
export function summarise(resultFiles, failedSteps) {
  const failed = [...failedSteps];
  const total = { passed: 0, failed: 0, skipped: 0 };
  const missing = [];
  for (const [runner, file] of Object.entries(resultFiles)) {
    const c = readCounts(runner, file);
    if (c === undefined) {
      missing.push(runner);
      if (!failed.includes(runner)) failed.push(runner);
      continue;
    }
    for (const k of Object.keys(total)) total[k] += c[k];
  }
  const counts = `${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`;
  const lines = failed.length > 0 ? [`failed steps: ${failed.join(', ')}`] : [];
  lines.push(missing.length === 0 ? `tests: ${counts}` : `tests: INCOMPLETE: ${missing.join(' and ')} crashed before reporting any result; counted so far: ${counts}`);
  return { lines, ok: failed.length === 0 && total.failed === 0 };
}

/** Removes result files left by an earlier run, so only this run's can be counted. */
export function clearStaleResults(files) {
  for (const file of files) rmSync(file, { force: true });
}
