// `npm start`: build, then run the Electron tray app if its binary is installed.
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
execFileSync(process.execPath, [`${root}scripts/build.mjs`], { stdio: 'inherit' });

let electronBinary;
try {
  electronBinary = createRequire(import.meta.url)('electron');
} catch {
  electronBinary = undefined;
}
if (typeof electronBinary === 'string') {
  const child = spawn(electronBinary, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  console.error('Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD); the desktop app cannot start here.');
  process.exitCode = 1;
}
