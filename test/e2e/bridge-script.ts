// Bundles page-preload.ts once per worker into a plain script for addInitScript.
import { buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function preloadScript(): string {
  cached ??= buildSync({
    entryPoints: [fileURLToPath(new URL('./page-preload.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
  }).outputFiles[0]!.text;
  return cached;
}
