// The layer rules in eslint.config.js, proved with ESLint's own API: a file in
// each layer importing each other layer is an error exactly when
// docs/architecture.md forbids the edge.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const eslint = new ESLint({ cwd: root });

// A file that stands for each layer (none of them is a known, pending violation).
const fileOf = {
  protocol: 'src/protocol/lint-fixture.ts',
  shared: 'src/shared/lint-fixture.ts',
  core: 'src/core/policy/lint-fixture.ts',
  relay: 'src/relay/storage/lint-fixture.ts',
  cli: 'src/cli/commands/lint-fixture.ts',
  main: 'src/main/lint-fixture.ts',
  preload: 'src/preload/lib/lint-fixture.ts',
  renderer: 'renderer/consent/lint-fixture.ts',
} as const;
type Layer = keyof typeof fileOf;

// A real module in each layer to import.
const targetOf: Record<Layer, string> = {
  protocol: 'src/protocol/scopes.ts',
  shared: 'src/shared/strings.ts',
  core: 'src/core/ui-port.ts',
  relay: 'src/relay/secret-token.ts',
  cli: 'src/cli/exit-codes.ts',
  main: 'src/main/placement.ts',
  preload: 'src/preload/lib/ipc-transport.ts',
  renderer: 'renderer/common/element.ts',
};

const allowed: Record<Layer, Layer[]> = {
  protocol: [],
  shared: ['protocol'],
  core: ['protocol', 'shared'],
  relay: ['protocol', 'shared'],
  cli: ['relay', 'core', 'protocol', 'shared'],
  main: ['core', 'protocol', 'shared'],
  preload: ['shared'],
  renderer: ['shared'],
};

function relativeImport(from: string, to: string): string {
  const up = from.split('/').length - 1;
  return `${'../'.repeat(up)}${to.replace(/\.ts$/, '.js')}`;
}

async function restrictedImportErrors(layer: Layer, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${fileOf[layer]}` });
  return result!.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

const layers = Object.keys(fileOf) as Layer[];
const edges = layers.flatMap((from) => layers.filter((to) => to !== from).map((to) => ({ from, to, ok: allowed[from].includes(to) })));

describe('layer import rules', () => {
  it.each(edges)('$from importing $to is allowed: $ok', async ({ from, to, ok }) => {
    const code = `import { x } from '${relativeImport(fileOf[from], targetOf[to])}';\nexport const y = x;\n`;
    const errors = await restrictedImportErrors(from, code);
    if (ok) expect(errors, `${from} -> ${to} should be allowed`).toEqual([]);
    else expect(errors.join('\n'), `${from} -> ${to} should be an error`).toContain(`${from} must not import ${to}`);
  });

  it('lets each layer import its own files', async () => {
    for (const layer of layers) {
      expect(await restrictedImportErrors(layer, `import { x } from './sibling.js';\nexport const y = x;\n`), layer).toEqual([]);
    }
  });

  it('keeps electron out of the plain-Node layers and allows it in main and preload', async () => {
    const code = `import { app } from 'electron';\nexport const a = app;\n`;
    for (const layer of ['protocol', 'shared', 'core', 'relay', 'cli', 'renderer'] as const) {
      expect((await restrictedImportErrors(layer, code)).length, layer).toBe(1);
    }
    expect(await restrictedImportErrors('main', code)).toEqual([]);
    expect(await restrictedImportErrors('preload', code)).toEqual([]);
    expect(await restrictedImportErrors('core', `import type { App } from 'electron';\nexport type A = App;\n`)).toEqual([]);
  });

  it('keeps Node modules out of renderer pages', async () => {
    expect(await restrictedImportErrors('renderer', `import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n`)).toHaveLength(1);
  });
});
