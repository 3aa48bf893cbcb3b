import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { capture } from './capture.js';
import { main } from '../../src/cli/main.js';
import { ERROR_CODES } from '../../src/protocol/index.js';

describe('porchlight command', () => {
  it('prints the package version', async () => {
    const c = capture();
    expect(await main(['--version'], c.ctx)).toBe(0);
    expect(c.text().stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('prints help listing every command', async () => {
    const c = capture();
    expect(await main(['--help'], c.ctx)).toBe(0);
    for (const name of ['relay', 'request', 'audit', 'agent', 'approve', 'keys', 'report', 'evidence']) expect(c.text().stdout).toContain(name);
  });

  it('exits 2 on an unknown command', async () => {
    const c = capture();
    expect(await main(['launch-missiles'], c.ctx)).toBe(2);
    expect(c.text().stderr).toContain("unknown command 'launch-missiles'");
  });

  it('lists every stable error code with its meaning', async () => {
    const c = capture();
    expect(await main(['errors'], c.ctx)).toBe(0);
    for (const code of ERROR_CODES) expect(c.text().stdout).toMatch(new RegExp(`^${code} +\\S`, 'm'));
  });

  it.runIf(existsSync('dist/src/cli/main.js'))('runs as the built bin, and survives a closed pipe', () => {
    expect(execFileSync(process.execPath, ['bin/porchlight.js', '--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const r = spawnSync('bash', ['-c', `"${process.execPath}" bin/porchlight.js errors | head -1`], { encoding: 'utf8' });
    expect(r.stderr).not.toContain('EPIPE');
  });
});

describe('docs/errors.md', () => {
  it('documents exactly the stable error codes, with their meanings', async () => {
    const { readFileSync } = await import('node:fs');
    const { ERROR_MEANINGS } = await import('../../src/protocol/index.js');
    const doc = readFileSync('docs/errors.md', 'utf8');
    const documented = [...doc.matchAll(/^\| `([a-z-]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(documented)).toEqual(ERROR_MEANINGS);
  });
});
