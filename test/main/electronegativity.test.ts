// @doyensec/electronegativity over src/main, src/preload and renderer: every
// finding must be in the justified allowlist, and every allowlist entry must
// still match a finding.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

interface Finding {
  id: string;
  file: string;
  line: number;
  severity: string;
  confidence: string;
  manualReview: boolean;
}
interface Scan {
  checks: number;
  errors: { file: string; message: string; tolerable: boolean }[];
  issues: Finding[];
}

const runner = new URL('./electronegativity-runner.mjs', import.meta.url).pathname;
const canary = new URL('./fixtures/insecure-window.ts.txt', import.meta.url).pathname;
const allowlist = (JSON.parse(readFileSync(new URL('./electronegativity-allowlist.json', import.meta.url), 'utf8')) as { entries: { id: string; file: string; reason: string }[] }).entries;

async function scan(canaryFile?: string): Promise<Scan> {
  const { stdout } = await promisify(execFile)(process.execPath, [runner, ...(canaryFile ? ['--canary', canaryFile] : [])], { env: { ...process.env, LANG: 'en-US' }, maxBuffer: 10 * 1024 * 1024 });
  return JSON.parse(stdout) as Scan;
}

const allowed = (f: Finding) => allowlist.some((a) => a.id === f.id && a.file === f.file);

describe('electronegativity', () => {
  it('finds nothing outside the justified allowlist, and the allowlist has no stale entries', async () => {
    const result = await scan();
    expect(result.checks).toBeGreaterThan(30);
    expect(result.errors.filter((e) => !e.tolerable)).toEqual([]);
    expect(result.issues.filter((f) => !allowed(f))).toEqual([]);
    expect(allowlist.filter((a) => !result.issues.some((f) => f.id === a.id && f.file === a.file))).toEqual([]);
    expect(allowlist.every((a) => a.reason.length > 40)).toBe(true);
  }, 180_000);

  it('reports an insecure window (canary: findings really surface)', async () => {
    const result = await scan(canary);
    const unexpected = result.issues.filter((f) => !allowed(f)).map((f) => `${f.id} ${f.file}`);
    expect(unexpected).toEqual(expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK src/main/canary.ts', 'SANDBOX_JS_CHECK src/main/canary.ts']));
  }, 180_000);
});
