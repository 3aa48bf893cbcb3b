// Runs @doyensec/electronegativity over the shell's sources (src/main,
// src/preload, renderer) in its own process and prints the findings as JSON.
// Its own process because the tool tries to fetch translations and release
// lists (no network here) and a timer in that code throws after the scan; we
// print and exit before it fires.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const run = require('@doyensec/electronegativity');
const electronVersion = require('electron/package.json').version;

const dir = mkdtempSync(join(tmpdir(), 'pl-electronegativity-'));
for (const part of ['src/main', 'src/preload', 'renderer']) cpSync(join(root, part), join(dir, part), { recursive: true });
cpSync(join(root, 'package.json'), join(dir, 'package.json'));
// `--extra FILE`: add a file to src/main (the test's canary proving findings are caught).
const extra = process.argv.indexOf('--extra');
if (extra > 0) cpSync(process.argv[extra + 1], join(dir, 'src/main/canary.ts'));

const log = console.log;
console.log = () => undefined; // the tool's chatter; stdout carries only our JSON
const result = await (run.default ?? run)({ input: dir, electronVersionOverride: electronVersion, isRelative: true }, false);
console.log = log;
rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify({
    checks: result.globalChecks + result.atomicChecks,
    errors: result.errors.map((e) => ({ file: e.file, message: e.message, tolerable: e.tolerable })),
    issues: result.issues.map((i) => ({ id: i.id, file: i.file, line: i.location.line, severity: i.severity.name, confidence: i.confidence.name, manualReview: Boolean(i.manualReview) })),
  }),
  () => process.exit(0),
);
