// `npm start`: build, then run the Electron tray app if its binary is installed;
// otherwise the same agent core headless next to a local relay (start-headless.mjs).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ensureNode } from './ensure-node.mjs';

await ensureNode(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
execFileSync(process.execPath, [`${root}scripts/build.mjs`], { stdio: 'inherit' });

/** The installed Electron binary, or undefined. Checked by hand: require('electron') would try to download it. */
function installedElectron() {
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const binary = join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(dir, 'dist'), readFileSync(pathFile, 'utf8'));
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

const electronBinary = installedElectron();
if (typeof electronBinary === 'string') {
  const child = spawn(electronBinary, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  console.log('Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD): the desktop app cannot start here.');
  console.log('Starting the same agent core headless (porchlight agent --headless) next to a local relay instead.\n');
  const { startHeadlessDemo } = await import('./start-headless.mjs');
  process.exitCode = await startHeadlessDemo(process.argv.slice(2), process.env);
}
