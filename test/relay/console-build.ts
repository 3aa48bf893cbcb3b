// Builds the technician console from source into a temp dir, as scripts/build.mjs does, for a test relay to serve.
import { build } from 'esbuild';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const consoleSrc = fileURLToPath(new URL('../../src/relay/console/', import.meta.url));
const tokensCss = fileURLToPath(new URL('../../renderer/common/tokens.css', import.meta.url));

export async function buildConsole(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'pl-console-'));
  await build({ entryPoints: [join(consoleSrc, 'main.ts')], outfile: join(out, 'main.js'), bundle: true, format: 'esm', platform: 'browser', target: 'chrome130', logLevel: 'silent' });
  for (const f of ['index.html', 'console.css']) copyFileSync(join(consoleSrc, f), join(out, f));
  copyFileSync(tokensCss, join(out, 'tokens.css'));
  return out;
}
