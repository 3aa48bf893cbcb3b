// The Node this project needs (>= 22.13, see package.json engines), whatever
// Node is global. `npm start`, `npm test` and .ci/run go through it: on an
// older Node it re-runs the calling script with a private Node 24 installed
// from the npm registry (package `node`) into ~/.cache/porchlight/node24,
// or says in one line what to do. Written for Node >= 18: no newer syntax or APIs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIN_NODE = [22, 13];
const PRIVATE_NODE_PACKAGE = 'node@24';

export function isSupported(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

export function privateNodePrefix(env = process.env) {
  return env.PORCHLIGHT_NODE_PREFIX || join(homedir(), '.cache', 'porchlight', 'node24');
}

function privateNodeVersion(binDir) {
  const node = join(binDir, process.platform === 'win32' ? 'node.cmd' : 'node');
  if (!existsSync(node)) return undefined;
  const r = spawnSync(node, ['-p', 'process.version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const tellWhatToDo = (why) =>
  `error: this project needs Node >= ${MIN_NODE.join('.')} (this is ${process.version}) and ${why}; ` +
  `install Node 24 (\`nvm install\` reads .nvmrc) or run: npm install --prefix ${privateNodePrefix()} --no-save ${PRIVATE_NODE_PACKAGE}`;

/**
 * The bin dir of a Node >= 22.13: undefined when the running Node already is one,
 * else the private install (made now if missing). Exits with one line when it can't.
 */
export function privateNodeBin(env = process.env) {
  if (isSupported(process.version)) return undefined;
  const prefix = privateNodePrefix(env);
  const binDir = join(prefix, 'node_modules', '.bin');
  const found = privateNodeVersion(binDir);
  if (found && isSupported(found)) return binDir;
  if (env.PORCHLIGHT_NO_NODE_INSTALL === '1') fail(tellWhatToDo('PORCHLIGHT_NO_NODE_INSTALL=1 forbids installing one'));
  process.stderr.write(`Node ${process.version} is older than ${MIN_NODE.join('.')}: installing ${PRIVATE_NODE_PACKAGE} from the npm registry into ${prefix} (once)\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--loglevel', 'error', PRIVATE_NODE_PACKAGE];
  const r = spawnSync(npm, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env, shell: process.platform === 'win32' });
  const installed = r.status === 0 ? privateNodeVersion(binDir) : undefined;
  if (!installed || !isSupported(installed)) {
    const npmSays = (r.stderr || '').split('\n').find((l) => /^npm error (?!code|syscall|errno)/.test(l));
    fail(tellWhatToDo(`installing ${PRIVATE_NODE_PACKAGE} into ${prefix} failed${npmSays ? ` (${npmSays.replace(/^npm error /, '').slice(0, 160)})` : ''}`));
  }
  return binDir;
}

function fail(line) {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

/**
 * Resolves at once when the running Node is supported. Otherwise re-runs the calling
 * script (its children too, through PATH) with the private Node, passing signals on,
 * and exits with its code: the promise then never resolves.
 */
export function ensureNode(scriptUrl) {
  const binDir = privateNodeBin();
  if (binDir === undefined) return Promise.resolve();
  const env = { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}` };
  const child = spawn(join(binDir, 'node'), [fileURLToPath(scriptUrl), ...process.argv.slice(2)], { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
  return new Promise(() => undefined);
}

// `node scripts/ensure-node.mjs --bin-dir`: prints the bin dir to put first on PATH (empty: the running Node will do).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv[2] === '--bin-dir') {
  process.stdout.write(`${privateNodeBin() ?? ''}\n`);
}
