// The build produces what Electron loads: package.json main, one CommonJS
// preload per window that needs nothing but electron (sandboxed preloads can
// only require a few modules), and the pages the IPC guard expects.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IPC_WINDOWS } from '../../src/shared/ipc-contract.js';
import { appPaths } from '../../src/main/app-paths.js';
import { ensureBuilt } from '../cli/built-cli.js';

const root = new URL('../..', import.meta.url).pathname;

beforeAll(async () => {
  await ensureBuilt();
}, 120_000);

describe('built desktop app', () => {
  it('package.json main is the built main entry', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('dist/src/main/main.js');
    expect(existsSync(join(root, pkg.main))).toBe(true);
  });

  for (const w of IPC_WINDOWS) {
    it(`${w}: its page and a single CommonJS preload requiring only electron`, () => {
      const paths = appPaths(root);
      expect(existsSync(new URL(paths.pageUrl(w)))).toBe(true);
      const preload = readFileSync(paths.preload(w), 'utf8');
      expect(preload.startsWith('"use strict";')).toBe(true);
      expect([...preload.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])).toEqual(['electron']);
      expect(preload).not.toMatch(/^\s*(import|export)\s/m);
      expect(preload).toContain(`exposeBridge("${w}")`);
    });
  }
});
