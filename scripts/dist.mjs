// `npm run dist`: installers for the OS this runs on (electron-builder). It needs
// the Electron binary for that target; say up front, in seconds, when it is
// neither in the Electron cache nor downloadable, instead of a DNS error after a minute.
import { spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ensureNode } from './ensure-node.mjs';

await ensureNode(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const DNS_TIMEOUT_MS = 3000;

/** Where @electron/get keeps downloads (ELECTRON_CACHE, electron_config_cache, else per OS). */
function electronCacheDir(env = process.env) {
  if (env.ELECTRON_CACHE) return env.ELECTRON_CACHE;
  if (env.electron_config_cache) return env.electron_config_cache;
  if (process.platform === 'darwin') return join(homedir(), 'Library/Caches/electron');
  if (process.platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData/Local'), 'electron/Cache');
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'electron');
}

/** True when `name` is in dir or one level below (newer @electron/get uses a hashed subdir). */
function cached(dir, name) {
  if (!existsSync(dir)) return false;
  if (existsSync(join(dir, name))) return true;
  return readdirSync(dir).some((sub) => statSync(join(dir, sub), { throwIfNoEntry: false })?.isDirectory() && existsSync(join(dir, sub, name)));
}

async function reachable(host) {
  const timeout = new Promise((resolve) => setTimeout(() => resolve(false), DNS_TIMEOUT_MS).unref());
  return Promise.race([lookup(host).then(() => true, () => false), timeout]);
}

const version = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
const target = `${process.platform}-${process.arch}`;
const zip = `electron-v${version}-${target}.zip`;
const cacheDir = electronCacheDir();
if (!cached(cacheDir, zip)) {
  const mirror = process.env.ELECTRON_MIRROR ?? process.env.electron_config_mirror ?? 'https://github.com/';
  const host = URL.canParse(mirror) ? new URL(mirror).hostname : mirror;
  if (!(await reachable(host))) {
    console.error(
      `error: npm run dist needs the Electron ${version} binary for ${target} (${zip}): it is not in the Electron cache ` +
        `(${cacheDir}) and ${host} cannot be reached. Offline: copy ${zip} into a directory and set ELECTRON_CACHE ` +
        '(or electron_config_cache) to it.',
    );
    process.exit(1);
  }
}

for (const [cmd, args] of [
  [process.execPath, [join(root, 'scripts/build.mjs')]],
  [join(root, 'node_modules/.bin/electron-builder'), ['--config', 'electron-builder.yml', ...process.argv.slice(2)]],
]) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
