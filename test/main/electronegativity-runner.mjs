// Runs @doyensec/electronegativity over the shell's sources (src/main,
// src/preload, renderer) in its own process and prints the findings as JSON.
// Its own process, with its HTTP client (got) replaced by one that fails at
// once: the tool fetches translations and Electron release lists, and with no
// network got's retry timer throws an uncaught error later (p-cancelable).
// Offline the tool uses its bundled English strings and skips the release check.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const toolDir = require.resolve('@doyensec/electronegativity');
const offline = () => Promise.reject(new Error('offline: electronegativity runs without network in tests'));
Object.assign(offline, { get: offline, head: offline });
require.cache[createRequire(toolDir).resolve('got')] = { id: 'got', loaded: true, exports: offline };
const run = require('@doyensec/electronegativity');
const electronVersion = require('electron/package.json').version;

const dir = mkdtempSync(join(tmpdir(), 'pl-electronegativity-'));
cpSync(join(root, 'package.json'), join(dir, 'package.json'));
// `--canary FILE`: scan only that file, as src/main/canary.ts (the test proving findings are caught).
const canary = process.argv.indexOf('--canary');
if (canary > 0) cpSync(process.argv[canary + 1], join(dir, 'src/main/canary.ts'));
else for (const part of ['src/main', 'src/preload', 'renderer']) cpSync(join(root, part), join(dir, part), { recursive: true });

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
