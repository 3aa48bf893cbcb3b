// Runs the built `porchlight` command as a child process. Builds once if dist/
// is missing or older than src/ (npm test builds first, so usually a no-op);
// a lock dir keeps parallel test files from building at the same time.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { within } from '../support/bounded-wait.js';
import { CHILD_PROCESS_START_MS } from '../support/wait-until-online.js';

const root = new URL('../..', import.meta.url).pathname;
export const BIN = join(root, 'bin/porchlight.js');
const BUILT = join(root, 'dist/src/cli/main.js');
const LOCK = join(root, 'test-results/.build-lock');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const isFresh = () => existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestMtime(join(root, 'src'));

/** A build takes well under this; a lock older than it was left by a run that died. */
export const STALE_LOCK_MS = 180_000;
/** How long to wait for another test file's build before failing. */
export const BUILD_WAIT_MS = 240_000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why the lock at `dir` is stale (its owner died, or it is too old), or undefined while it is live. */
export function staleLockReason(dir: string, now = Date.now()): string | undefined {
  let owner: number | undefined;
  try {
    owner = Number(readFileSync(join(dir, 'owner'), 'utf8'));
  } catch {
    // Just created, owner not written yet: judge by age only.
  }
  if (owner !== undefined && Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) return `its owner pid ${owner} is gone`;
  try {
    const age = now - statSync(dir).mtimeMs;
    if (age > STALE_LOCK_MS) return `it is ${Math.round(age / 1000)} s old`;
  } catch {
    return undefined; // released meanwhile
  }
  return undefined;
}

/** Take the lock dir, or false if someone holds it; a stale lock is moved aside and taken over. */
export function takeLock(dir: string): boolean {
  try {
    mkdirSync(dir);
  } catch {
    const stale = staleLockReason(dir);
    if (!stale) return false;
    const aside = `${dir}.stale-${process.pid}-${Date.now()}`;
    try {
      renameSync(dir, aside); // atomic: only one waiter wins the takeover
    } catch {
      return false;
    }
    rmSync(aside, { recursive: true, force: true });
    return takeLock(dir);
  }
  writeFileSync(join(dir, 'owner'), String(process.pid));
  return true;
}

export async function ensureBuilt(): Promise<void> {
  mkdirSync(join(root, 'test-results'), { recursive: true });
  const giveUp = Date.now() + BUILD_WAIT_MS;
  for (;;) {
    if (isFresh()) return;
    if (!takeLock(LOCK)) {
      if (Date.now() > giveUp) {
        throw new Error(`waited ${BUILD_WAIT_MS / 1000} s for another test's build (lock ${LOCK}, owner ${ownerOf(LOCK)}); remove the lock if no test run is active`);
      }
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      if (!isFresh()) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'ignore' });
      return;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

function ownerOf(dir: string): string {
  try {
    return `pid ${readFileSync(join(dir, 'owner'), 'utf8')}`;
  } catch {
    return 'unknown';
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ReturnType<typeof spawn>;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout contains `text`; fails after `ms` (default CHILD_PROCESS_START_MS) with what was printed. */
  waitForOutput(text: string | RegExp, ms?: number): Promise<string>;
  /** Resolves when stderr contains `text` (daemons log there); same deadline. */
  waitForStderr(text: string | RegExp, ms?: number): Promise<string>;
  done: Promise<CliRun>;
}

export interface SpawnOptions {
  /** Extra node flags before the script (e.g. `--import` a test preload). */
  nodeArgs?: string[];
  /** Run under `ulimit -f`: writes past this many bytes (rounded down to 512) fail with EFBIG, like a full disk. */
  fileSizeLimitBytes?: number;
  /** Run under `prlimit --nofile=N:N` (util-linux): soft and hard open-files limit N, so the child cannot raise it. */
  openFilesLimit?: number;
  /** Give the command a stdin pipe (`child.stdin`) instead of none. */
  stdinPipe?: boolean;
}

/**
 * The technician config dir (known-devices.json) of every CLI child of this test process, unless a test names its
 * own: never the real user's, and never shared with parallel test files.
 */
let configHome: string | undefined;
const testConfigHome = () => (configHome ??= mkdtempSync(join(tmpdir(), 'pl-cli-config-')));

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, opts: SpawnOptions = {}): RunningCli {
  const argv = [...(opts.nodeArgs ?? []), BIN, ...args];
  const childEnv = { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: testConfigHome(), ...env };
  // POSIX sh counts ulimit -f in 512-byte blocks.
  const limited = opts.fileSizeLimitBytes === undefined ? undefined : `ulimit -f ${Math.floor(opts.fileSizeLimitBytes / 512)} && exec "$0" "$@"`;
  const stdio: ['ignore' | 'pipe', 'pipe', 'pipe'] = [opts.stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'];
  const nofile = opts.openFilesLimit === undefined ? undefined : `--nofile=${opts.openFilesLimit}:${opts.openFilesLimit}`;
  const child = limited
    ? spawn('/bin/sh', ['-c', limited, process.execPath, ...argv], { env: childEnv, stdio })
    : nofile
      ? spawn('prlimit', [nofile, process.execPath, ...argv], { env: childEnv, stdio })
      : spawn(process.execPath, argv, { env: childEnv, stdio });
  let stdout = '';
  let stderr = '';
  const watchers: Array<() => void> = [];
  child.stdout!.on('data', (d) => {
    stdout += d;
    for (const w of [...watchers]) w();
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
    for (const w of [...watchers]) w();
  });
  const done = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
  const printed = () => `stdout: ${JSON.stringify(stdout.slice(-2000))} stderr: ${JSON.stringify(stderr.slice(-2000))}`;
  const waitFor = (read: () => string, text: string | RegExp, ms = CHILD_PROCESS_START_MS) =>
    within(new Promise<string>((resolve, reject) => {
      const check = () => {
        const out = read();
        const hit = typeof text === 'string' ? out.includes(text) : text.test(out);
        if (hit) {
          watchers.splice(watchers.indexOf(check), 1);
          resolve(out);
        }
      };
      watchers.push(check);
      check();
      void done.then(() => reject(new Error(`exited before printing ${String(text)}; stdout: ${stdout} stderr: ${stderr}`)));
    }), `\`porchlight ${args.join(' ')}\` to print ${String(text)}`, printed, { ms });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForOutput: (text, ms) => waitFor(() => stdout, text, ms),
    waitForStderr: (text, ms) => waitFor(() => stderr, text, ms),
    done,
  };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return startCli(args, env).done;
}
