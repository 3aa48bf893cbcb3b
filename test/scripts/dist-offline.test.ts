// `npm run dist` without the Electron binary and without network fails in
// seconds, saying how to provide the binary offline (issue 14).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

describe('npm run dist offline', () => {
  it('fails fast naming the Electron zip and ELECTRON_CACHE / electron_config_cache', () => {
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.dist).toBe('node scripts/dist.mjs');
    const started = Date.now();
    const env = { ...process.env, ELECTRON_CACHE: mkdtempSync(join(tmpdir(), 'pl-electron-cache-')), ELECTRON_MIRROR: 'https://electron-mirror.invalid/' };
    const r = spawnSync(process.execPath, [join(root, 'scripts/dist.mjs')], { encoding: 'utf8', env });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: npm run dist needs the Electron [\d.]+ binary for \w+-\w+ \(electron-v[\d.]+-\w+-\w+\.zip\): it is not in the Electron cache \(.*\) and electron-mirror\.invalid cannot be reached\. Offline: copy .* and set ELECTRON_CACHE \(or electron_config_cache\) to it\.\n$/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
