// Runs one IT hook: an argv array from policy, never through a shell, with a
// small fixed environment, a time limit and bounded output capture.
import { spawn } from 'node:child_process';

/** Bytes kept of each of stdout and stderr (the rest is counted, not kept). */
export const HOOK_OUTPUT_LIMIT = 4096;

export interface HookRun {
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
}

export interface HookResult {
  /** Exit status, or null when killed by a signal. */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** The executable could not be started (missing, not executable): the message. */
  spawnError?: string;
  stdout: string;
  stderr: string;
  /** Output bytes beyond HOOK_OUTPUT_LIMIT that were dropped. */
  droppedBytes: number;
  durationMs: number;
}

/** The inherited variables a hook gets: enough to find system tools, nothing else of the agent's. */
const PASSED_THROUGH = ['PATH', 'SystemRoot', 'windir', 'ComSpec', 'TEMP', 'TMP'];

export function hookEnvironment(extra: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of PASSED_THROUGH) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return { ...env, ...extra };
}

export function runHook(run: HookRun, now: () => number = Date.now): Promise<HookResult> {
  const started = now();
  const [file, ...args] = run.argv;
  return new Promise((resolve) => {
    const out = new BoundedText();
    const err = new BoundedText();
    let timedOut = false;
    let spawnError: string | undefined;
    // Own process group (POSIX) so a timeout kills what the hook started too.
    const child = spawn(file!, args, {
      shell: false,
      env: run.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      detached: process.platform !== 'win32',
    });
    child.stdout.on('data', (b: Buffer) => out.add(b));
    child.stderr.on('data', (b: Buffer) => err.add(b));
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(child.pid);
    }, run.timeoutMs);
    child.on('error', (e) => {
      spawnError = e.message;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        exitCode: code,
        signal,
        timedOut,
        ...(spawnError !== undefined ? { spawnError } : {}),
        stdout: out.text(),
        stderr: err.text(),
        droppedBytes: out.dropped + err.dropped,
        durationMs: now() - started,
      });
    });
  });
}

function killTree(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    if (process.platform === 'win32') process.kill(pid, 'SIGKILL');
    else process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

class BoundedText {
  private readonly parts: Buffer[] = [];
  private kept = 0;
  dropped = 0;

  add(b: Buffer): void {
    const room = HOOK_OUTPUT_LIMIT - this.kept;
    if (room > 0) this.parts.push(b.subarray(0, room));
    this.kept += Math.min(room, b.length);
    this.dropped += Math.max(0, b.length - Math.max(room, 0));
  }

  text(): string {
    return Buffer.concat(this.parts).toString('utf8');
  }
}
