// What the docs point to exists (issue 14: README named a DESIGN.md that is not
// in the repository, electron-builder.yml a docs/readme/deploy.md): every
// relative Markdown link and its #anchor, and every docs/*.md path named in
// README, docs/, electron-builder.yml or package.json.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { docFiles } from './doc-blocks.js';

const root = new URL('../..', import.meta.url).pathname;
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

/** The text outside fenced code blocks (a link inside a code sample is not a link). */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');

function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const m of prose(read(file)).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of read(file).matchAll(/<a (?:name|id)="([^"]+)"/g)) anchors.add(m[1]!);
  return anchors;
}

describe('links in README.md and docs/', () => {
  it('every relative link names a file that exists, and an anchor that its headings make', () => {
    const broken: string[] = [];
    for (const file of docFiles()) {
      for (const m of prose(read(file)).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target)) continue;
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const resolved = path === '' ? file : normalize(join(dirname(file), path));
        if (!existsSync(join(root, resolved))) broken.push(`${file}: ${target} (no ${resolved})`);
        else if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) broken.push(`${file}: ${target} (no heading #${anchor} in ${resolved})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every docs/*.md or top-level *.md path named in the docs, electron-builder.yml or package.json exists', () => {
    const missing: string[] = [];
    for (const file of [...docFiles(), 'electron-builder.yml', 'package.json']) {
      for (const m of read(file).matchAll(/(?<![\w/.-])((?:docs\/)?[\w./-]*\b[A-Za-z][\w-]*\.md)\b/g)) {
        const named = m[1]!;
        // A path may be from the repository root or from the naming file; a bare name may be one of docs/.
        const candidates = [named, join(dirname(file), named), ...(named.includes('/') ? [] : [`docs/${named}`])];
        if (!candidates.some((c) => existsSync(join(root, c)))) missing.push(`${file}: ${named}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('README says `npm run dist` builds for the OS it runs on, not all three', () => {
    const readme = read('README.md').replace(/\s+/g, ' ');
    expect(readme).toContain('`npm run dist` builds the installers of the OS it runs on');
    expect(readme).not.toMatch(/all three (operating systems|OSes)/i);
  });
});
