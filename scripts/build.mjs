// Build: tsc emits Node code (src, bench) to dist/; esbuild bundles each renderer
// page and each preload (sandboxed preloads must be single CommonJS files).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
rmSync(join(root, 'dist'), { recursive: true, force: true });

execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});

// renderer/<page>/main.ts -> dist/renderer/<page>/main.js, with the page's html/css copied.
const rendererDir = join(root, 'renderer');
if (existsSync(rendererDir)) {
  const pages = readdirSync(rendererDir).filter((d) => statSync(join(rendererDir, d)).isDirectory());
  const entryPoints = pages
    .filter((page) => existsSync(join(rendererDir, page, 'main.ts')))
    .map((page) => ({ in: join(rendererDir, page, 'main.ts'), out: `${page}/main` }));
  if (entryPoints.length > 0) {
    await build({
      entryPoints,
      outdir: join(root, 'dist/renderer'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome130',
      sourcemap: true,
      logLevel: 'warning',
    });
  }
  cpSync(rendererDir, join(root, 'dist/renderer'), {
    recursive: true,
    filter: (src) => statSync(src).isDirectory() || /\.(html|css|svg|png|woff2)$/.test(src),
  });
}

// src/preload/<window>.ts -> dist/preload/<window>.cjs
const preloadDir = join(root, 'src/preload');
if (existsSync(preloadDir)) {
  const preloads = readdirSync(preloadDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  mkdirSync(join(root, 'dist/preload'), { recursive: true });
  for (const file of preloads) {
    await build({
      entryPoints: [join(preloadDir, file)],
      outfile: join(root, 'dist/preload', file.replace(/\.ts$/, '.cjs')),
      bundle: true,
      format: 'cjs',
      platform: 'node',
      external: ['electron'],
      target: 'chrome130',
      sourcemap: true,
      logLevel: 'warning',
    });
  }
}

// src/relay/console/main.ts -> dist/relay-console/main.js (+ its html/css): the
// technician console the relay serves (browser-safe protocol code only).
const relayConsoleDir = join(root, 'src/relay/console');
if (existsSync(join(relayConsoleDir, 'main.ts'))) {
  await build({
    entryPoints: [join(relayConsoleDir, 'main.ts')],
    outfile: join(root, 'dist/relay-console/main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome130',
    sourcemap: true,
    logLevel: 'warning',
  });
  cpSync(relayConsoleDir, join(root, 'dist/relay-console'), {
    recursive: true,
    filter: (src) => statSync(src).isDirectory() || /\.(html|css)$/.test(src),
  });
  // One tokens file for the desktop pages and the console: colours, spacing, type scale, focus ring.
  cpSync(join(rendererDir, 'common/tokens.css'), join(root, 'dist/relay-console/tokens.css'));
}
