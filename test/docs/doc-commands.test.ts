// The shell blocks the walkthrough does not run (they need a real host, a
// database, a second technician...) still name commands, subcommands and
// flags the built CLI knows: each is checked against `porchlight CMD --help`,
// so a renamed flag cannot linger in the docs (issue 14).
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/registry.js';
import { ensureBuilt, runCli } from '../cli/built-cli.js';
import { docFiles, fencedBlocks } from './doc-blocks.js';

const help = new Map<string, string>();
beforeAll(async () => {
  await ensureBuilt();
  for (const name of Object.keys(COMMANDS)) help.set(name, (await runCli([name, '--help'])).stdout);
}, 120_000);

interface Use {
  where: string;
  command: string;
  words: string[];
}

/** Every `npx porchlight CMD ...` in the docs' shell blocks, continuation lines joined, up to a pipe, `;`, `&` or comment. */
function uses(): Use[] {
  const found: Use[] = [];
  for (const file of docFiles()) {
    for (const block of fencedBlocks(file, /^(sh|bash|shell)\b/)) {
      for (const m of block.code.replace(/\\\n/g, ' ').matchAll(/npx porchlight ([^|;&#\n)]*)/g)) {
        const [command = '', ...words] = m[1]!.trim().split(/\s+/);
        found.push({ where: `${file}:${block.line}`, command, words });
      }
    }
  }
  return found;
}

describe('commands in the docs', () => {
  it('are found (the scan itself works)', () => {
    expect(uses().length).toBeGreaterThan(40);
  });

  it('name commands, subcommands and flags that `porchlight CMD --help` lists', () => {
    const unknown: string[] = [];
    for (const { where, command, words } of uses()) {
      const text = help.get(command);
      if (text === undefined) {
        if (!['--help', '-h', '--version', '-v'].includes(command)) unknown.push(`${where}: command ${command}`);
        continue;
      }
      // A plain first word is a subcommand (relay technicians, audit verify): the usage names it.
      const sub = words[0] !== undefined && /^[a-z][a-z-]*$/.test(words[0]) ? words[0] : undefined;
      if (sub !== undefined && !new RegExp(`porchlight ${command} ${sub}(?![a-z-])`).test(text)) unknown.push(`${where}: subcommand ${command} ${sub}`);
      const path = sub === undefined ? command : `${command} ${sub}`;
      for (const flag of words.filter((w) => /^--[a-z]/.test(w)).map((w) => w.replace(/=.*$/, ''))) {
        if (!new RegExp(`${flag}(?![a-z0-9-])`).test(text)) unknown.push(`${where}: ${path} ${flag}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});
