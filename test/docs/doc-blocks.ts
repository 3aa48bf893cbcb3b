// The runnable shell blocks of the docs: fenced as ```sh walkthrough, taken
// from README.md first, then docs/*.md in name order (they build on it).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DocBlock {
  file: string;
  line: number;
  code: string;
}

const root = new URL('../..', import.meta.url).pathname;

export function docFiles(): string[] {
  return ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
}

/** Every fenced block of `file` whose info string is exactly `lang` (or `lang` plus words). */
export function fencedBlocks(file: string, info: RegExp): DocBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    if (info.test(open[1]!.trim())) blocks.push({ file, line: i + 1, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

export const walkthroughBlocks = (): DocBlock[] => docFiles().flatMap((f) => fencedBlocks(f, /^sh walkthrough$/));
