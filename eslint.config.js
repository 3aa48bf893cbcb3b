// Lint rules that guard the architecture (DESIGN.md):
// - src/core, src/protocol, src/relay, src/cli never value-import electron;
// - renderer/ never imports Node modules (it only sees window.porchlight).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeModuleNames = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
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
  {
    files: ['src/core/**', 'src/protocol/**', 'src/relay/**', 'src/cli/**', 'src/shared/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'Only src/main and src/preload may import electron (DESIGN.md: core stays plain Node).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeModuleNames.map((name) => ({ name, message: 'Renderer pages see only window.porchlight, never Node.' })),
            { name: 'electron', message: 'Renderer pages see only window.porchlight, never Electron.' },
          ],
        },
      ],
    },
  },
);
