// Runs electron-builder for real (Linux "dir" target, no installer) against a
// stand-in Electron distribution, so the whole packing path is exercised
// without the Electron binary: file selection into app.asar, the afterPack
// fuse hook on the packed executable, electron-builder's own sanity checks.
// Needs a build (`npm run build`; the test command builds before vitest).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';
import { extractFile, listPackage } from '@electron/asar';
import { FuseV1Options } from '@electron/fuses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUSES } from '../../build/fuses.mjs';

const root = new URL('../..', import.meta.url).pathname;
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ELECTRON_DEFAULT_WIRE = '101100011';
const built = existsSync(join(root, 'dist/src/core/agent.js'));
const main = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string }).main;
const mainBuilt = existsSync(join(root, main));

describe.skipIf(!built)('electron-builder --linux dir with a stand-in Electron (skipped: run npm run build first)', () => {
  let work: string;
  let appDir: string;
  let files: string[];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'porchlight-pack-'));
    const electronDist = join(work, 'electron');
    mkdirSync(join(electronDist, 'resources'), { recursive: true });
    const binary = join(electronDist, 'electron');
    writeFileSync(binary, Buffer.concat([Buffer.alloc(4096, 0x90), Buffer.from(SENTINEL), Buffer.from([1, ELECTRON_DEFAULT_WIRE.length]), Buffer.from(ELECTRON_DEFAULT_WIRE), Buffer.alloc(4096, 0x90)]));
    chmodSync(binary, 0o755);
    for (const f of ['chrome-sandbox', 'LICENSE']) writeFileSync(join(electronDist, f), '');
    writeFileSync(join(electronDist, 'version'), '45.4.1');

    const args = ['--linux', 'dir', '--config', 'electron-builder.yml', `-c.electronDist=${electronDist}`, `-c.directories.output=${join(work, 'out')}`];
    // Until the Electron main process is built, pack against another built file so the rest is still checked.
    if (!mainBuilt) args.push('-c.extraMetadata.main=dist/src/core/agent.js');
    execFileSync(join(root, 'node_modules/.bin/electron-builder'), args, { cwd: root, stdio: 'pipe', env: { ...process.env, CI: '1' } });
    appDir = join(work, 'out/linux-unpacked');
    files = listPackage(join(appDir, 'resources/app.asar'), { isPack: false }).map((f) => f.replaceAll('\\', '/'));
  }, 120_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('flips every fuse in the packed executable through the afterPack hook', () => {
    const bytes = readFileSync(join(appDir, 'porchlight'));
    const at = bytes.indexOf(SENTINEL) + SENTINEL.length + 2;
    const wire = bytes.toString('latin1', at, at + ELECTRON_DEFAULT_WIRE.length);
    const expected = [...ELECTRON_DEFAULT_WIRE].map((_, i) => (FUSES[FuseV1Options[i]!] ? '1' : '0')).join('');
    expect(wire).toBe(expected);
    expect(wire[FuseV1Options.RunAsNode]).toBe('0');
  });

  it('packs the built app, the tray icons and the runtime dependencies into app.asar', () => {
    for (const f of ['/package.json', '/dist/src/core/agent.js', '/dist/renderer/consent/index.html', '/assets/tray/idleTemplate@2x.png', '/assets/tray/live.ico', '/assets/icon.png', '/node_modules/ws/package.json', '/node_modules/zod/package.json'])
      expect(files, f).toContain(f);
  });

  it.skipIf(!mainBuilt)(`contains the Electron entry point ${main} and every window's preload`, () => {
    expect(files).toContain(`/${main}`);
    const preloads = readdirSync(join(root, 'dist/preload')).filter((f) => f.endsWith('.cjs'));
    expect(preloads.length).toBeGreaterThan(0);
    for (const p of preloads) expect(files).toContain(`/dist/preload/${p}`);
  });

  it('holds every module the entry point reaches (nothing it imports was left out)', () => {
    const entry = `/${mainBuilt ? main : 'dist/src/core/agent.js'}`;
    const inAsar = new Set(files);
    const packages = new Set(files.filter((f) => f.startsWith('/node_modules/')).map((f) => f.split('/').slice(2, f.split('/')[2]!.startsWith('@') ? 4 : 3).join('/')));
    const seen = new Set<string>();
    const queue = [entry];
    const missing: string[] = [];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const code = extractFile(join(appDir, 'resources/app.asar'), file.slice(1)).toString('utf8');
      for (const [, spec] of code.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)['"]([^'"]+)['"]/g)) {
        if (spec!.startsWith('.')) {
          const target = posix.join(posix.dirname(file), spec!);
          if (inAsar.has(target)) queue.push(target);
          else missing.push(`${file} -> ${spec}`);
        } else if (!spec!.startsWith('node:') && !builtinModules.includes(spec!) && spec !== 'electron') {
          const name = spec!.split('/').slice(0, spec!.startsWith('@') ? 2 : 1).join('/');
          if (!packages.has(name)) missing.push(`${file} -> ${spec}`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(seen.size).toBeGreaterThan(5);
  });

  it('leaves out sources, tests, source maps, the relay, the CLI and the icon sources', () => {
    const own = files.filter((f) => !f.startsWith('/node_modules/'));
    expect(own.filter((f) => /\.(ts|map|svg)$/.test(f) || /^\/(src|test|renderer|scripts|build|docs)\//.test(f))).toEqual([]);
    expect(own.filter((f) => /^\/dist\/(src\/relay|src\/cli|bench|relay-console)\//.test(f))).toEqual([]);
  });
});
