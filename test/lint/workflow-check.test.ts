// scripts/check-workflows.mjs (part of `npm run lint`) passes our CI workflow
// and fails a broken one with the line that is wrong.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pl-workflow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(...files: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/check-workflows.mjs'), ...files], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stderr: r.stderr };
}

function workflow(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('workflow check', () => {
  it('passes .github/workflows/ci.yml', () => {
    expect(check()).toEqual({ status: 0, stderr: '' });
  });

  it.each([
    ['an unknown key', 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz:\n      - run: echo hi\n', /Line: 5.*Unexpected value 'stepz'/],
    ['an unknown expression function', 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ nosuchfn(1) }}\n', /Unrecognized function: 'nosuchfn'/],
    ['a job that needs a missing job', 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: [b]\n    steps:\n      - run: echo hi\n', /at least one job with no dependencies/],
  ])('fails a workflow with %s', (_what, text, message) => {
    const r = check(workflow('bad.yml', text));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
  });
});
