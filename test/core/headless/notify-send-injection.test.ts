// node-notifier runs notify-send through /bin/sh on Linux (child_process.exec). Technician names,
// tickets and reasons reach it, so shell syntax in them must arrive as literal text and run nothing.
// A stand-in notify-send on PATH records the argv it got; the real shell and the real package run.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeNotifierDesktop } from '../../../src/core/headless/node-notifier-desktop.js';

const dir = mkdtempSync(join(tmpdir(), 'pl-notify-send-'));
const bin = join(dir, 'bin');
const traps = join(dir, 'traps');
const argvFile = join(dir, 'argv');
const savedPath = process.env.PATH;

/** Each payload would create traps/N if a shell ever interpreted it. */
const payloads = (n: number): string[] => [
  `$(touch ${traps}/${n}a)`,
  `\`touch ${traps}/${n}b\``,
  `x; touch ${traps}/${n}c`,
  `" ; touch ${traps}/${n}d ; "`,
  `' ; touch ${traps}/${n}e ; '`,
  `\\" $(touch ${traps}/${n}f) \\`,
  `a && touch ${traps}/${n}g || touch ${traps}/${n}h`,
  `a | touch ${traps}/${n}i > ${traps}/${n}j`,
  `\${IFS}$(touch\${IFS}${traps}/${n}k)`,
];

beforeAll(() => {
  mkdirSync(bin);
  mkdirSync(traps);
  // The stand-in: one NUL-terminated record per argument, exactly as received.
  writeFileSync(join(bin, 'notify-send'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > '${argvFile}'\n`);
  chmodSync(join(bin, 'notify-send'), 0o755);
  // The real PATH stays behind it, so `touch` would be found if any payload ran.
  process.env.PATH = `${bin}${delimiter}${savedPath ?? ''}`;
});
afterAll(() => {
  process.env.PATH = savedPath;
  rmSync(dir, { recursive: true, force: true });
});

const receivedArgs = (): string[] => readFileSync(argvFile, 'utf8').split('\0').slice(0, -1);

describe.runIf(process.platform === 'linux')('node-notifier on Linux', () => {
  it('each payload is live: quoted naively for sh (double, single or no quotes), it runs', () => {
    const naive = [(p: string) => `"${p}"`, (p: string) => `'${p}'`, (p: string) => p];
    payloads(99).forEach((payload, i) => {
      try {
        for (const quote of naive) spawnSync('/bin/sh', ['-c', `notify-send ${quote(payload)}`], { env: process.env, stdio: 'ignore' });
        expect([i, readdirSync(traps).length > 0]).toEqual([i, true]);
      } finally {
        for (const f of readdirSync(traps)) rmSync(join(traps, f));
      }
    });
  });

  it.each(payloads(0).map((p, i) => [i, p]))('payload %i arrives as literal text and runs nothing', async (i, payload) => {
    const title = `Alice ${payload} asks to connect`;
    const body = `Ticket INC-1 ${payloads(i + 1)[i]}`;
    await nodeNotifierDesktop().notify(title, body);
    const args = receivedArgs();
    expect(args.slice(0, 2)).toEqual([title, body]);
    expect(readdirSync(traps)).toEqual([]);
  });
});
