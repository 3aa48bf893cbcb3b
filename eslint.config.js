// Lint rules that guard the architecture (DESIGN.md, docs/architecture.md):
// - every layer imports only the layers below it (see LAYER_IMPORTS);
// - src/core, src/protocol, src/relay, src/cli, src/shared never value-import electron;
// - renderer/ never imports Node modules (it only sees window.porchlight).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeModuleNames = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

// Each layer directory, and the glob that matches an import of it from anywhere.
const LAYER_GLOBS = {
  protocol: '**/protocol/**',
  shared: '**/shared/**',
  core: '**/core/**',
  relay: '**/relay/**',
  cli: '**/cli/**',
  main: '**/main/**',
  preload: '**/preload/**',
  renderer: '**/renderer/**',
};

// Which other layers a layer may import (its own files are always allowed).
export const LAYER_IMPORTS = {
  protocol: [],
  shared: ['protocol'],
  core: ['protocol', 'shared'],
  relay: ['protocol', 'shared'],
  cli: ['relay', 'core', 'protocol', 'shared'],
  main: ['core', 'protocol', 'shared'],
  preload: ['shared'],
  renderer: ['shared'],
};

const electronValueImport = {
  name: 'electron',
  message: 'Only src/main and src/preload may import electron (DESIGN.md: core stays plain Node).',
  allowTypeImports: true,
};

/** The no-restricted-imports options for one layer; `alsoAllow` widens it (known violations only). */
function layerRule(layer, { alsoAllow = [], paths = [] } = {}) {
  const allowed = new Set([layer, ...LAYER_IMPORTS[layer], ...alsoAllow]);
  const mayImport = LAYER_IMPORTS[layer].join(', ') || 'nothing of ours';
  const patterns = Object.entries(LAYER_GLOBS)
    .filter(([other]) => !allowed.has(other))
    .map(([other, glob]) => ({
      group: [glob],
      message: `${layer} must not import ${other} (docs/architecture.md: ${layer} may import ${mayImport}).`,
    }));
  return ['error', { paths, patterns }];
}

const layerFiles = {
  protocol: ['src/protocol/**'],
  shared: ['src/shared/**'],
  core: ['src/core/**'],
  relay: ['src/relay/**'],
  cli: ['src/cli/**'],
  main: ['src/main/**'],
  preload: ['src/preload/**'],
  renderer: ['renderer/**'],
};

const layerPaths = {
  protocol: [electronValueImport],
  shared: [electronValueImport],
  core: [electronValueImport],
  relay: [electronValueImport],
  cli: [electronValueImport],
  main: [],
  preload: [],
  renderer: [
    ...nodeModuleNames.map((name) => ({ name, message: 'Renderer pages see only window.porchlight, never Node.' })),
    { name: 'electron', message: 'Renderer pages see only window.porchlight, never Electron.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.ts'],
    ignores: ['renderer/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  { files: ['renderer/**'], languageOptions: { globals: { ...globals.browser } } },
  // The orchestrators split out of agent-core and the relay router (issue 13) stay readable: no line over 120.
  {
    files: ['src/core/agent-core.ts', 'src/core/consent/**/*.ts', 'src/core/session/**/*.ts', 'src/relay/router.ts', 'src/relay/routing/**/*.ts'],
    rules: { 'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }] },
  },
  ...Object.entries(layerFiles).map(([layer, files]) => ({
    files,
    rules: { '@typescript-eslint/no-restricted-imports': layerRule(layer, { paths: layerPaths[layer] }) },
  })),
);
