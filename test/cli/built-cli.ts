// Runs the built `porchlight` command as a child process. Builds once if dist/
// is missing or older than src/ (npm test builds first, so usually a no-op);
// a lock dir keeps parallel test files from building at the same time.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

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

export async function ensureBuilt(): Promise<void> {
  for (;;) {
    if (isFresh()) return;
    try {
      mkdirSync(join(root, 'test-results'), { recursive: true });
      mkdirSync(LOCK);
    } catch {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      if (!isFresh()) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'ignore' });
      return;
    } finally {
      rmdirSync(LOCK);
    }
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
  /** Resolves when stdout contains `text`. */
  waitForOutput(text: string | RegExp): Promise<string>;
  /** Resolves when stderr contains `text` (daemons log there). */
  waitForStderr(text: string | RegExp): Promise<string>;
  done: Promise<CliRun>;
}

export interface SpawnOptions {
  /** Extra node flags before the script (e.g. `--import` a test preload). */
  nodeArgs?: string[];
  /** Run under `ulimit -f`: writes past this many bytes (rounded down to 512) fail with EFBIG, like a full disk. */
  fileSizeLimitBytes?: number;
  /** Give the command a stdin pipe (`child.stdin`) instead of none. */
  stdinPipe?: boolean;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, opts: SpawnOptions = {}): RunningCli {
  const argv = [...(opts.nodeArgs ?? []), BIN, ...args];
  const childEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  // POSIX sh counts ulimit -f in 512-byte blocks.
  const limited = opts.fileSizeLimitBytes === undefined ? undefined : `ulimit -f ${Math.floor(opts.fileSizeLimitBytes / 512)} && exec "$0" "$@"`;
  const stdio: ['ignore' | 'pipe', 'pipe', 'pipe'] = [opts.stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'];
  const child = limited ? spawn('/bin/sh', ['-c', limited, process.execPath, ...argv], { env: childEnv, stdio }) : spawn(process.execPath, argv, { env: childEnv, stdio });
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
  const waitFor = (read: () => string, text: string | RegExp) =>
    new Promise<string>((resolve, reject) => {
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
    });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForOutput: (text) => waitFor(() => stdout, text),
    waitForStderr: (text) => waitFor(() => stderr, text),
    done,
  };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return startCli(args, env).done;
}
