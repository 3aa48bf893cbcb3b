// The reference Linux screen server: one x11vnc per session, started by the
// screen gate on loopback with a one-time password and stopped at the end.
// The password is random per start, lives in a 0600 file inside a private
// 0700 folder (named after the session, so a restart after a crash finds and
// stops what was left), and is handed to the agent's own RFB client only:
// the technician's viewer never sees it (security None towards the viewer).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScreenEndpoint } from './screen-channel.js';

export const DEFAULT_X11VNC_PATH = '/usr/bin/x11vnc';
/** Bytes of x11vnc's output kept for the error message when it fails to start. */
const LOG_LIMIT = 4096;

export interface X11vncOptions {
  /** Folder for the per-session private folders (under the agent's data dir). */
  stateDir: string;
  sessionId: string;
  host: '127.0.0.1' | '::1';
  port: number;
  display: string;
  executable?: string;
  xauthority?: string;
  /** How long x11vnc may take to listen. */
  startTimeoutMs?: number;
}

/** A private folder per session: a hash of the id, so no session id can name a path. */
export function sessionFolder(stateDir: string, sessionId: string): string {
  return join(stateDir, `x11vnc-${createHash('sha256').update(sessionId).digest('hex').slice(0, 24)}`);
}

/** VNC authentication uses at most 8 password bytes: 8 random characters from a 64-letter alphabet (48 bits). */
function oneTimePassword(): string {
  return randomBytes(6).toString('base64url');
}

export class X11vncProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly folder: string,
    readonly endpoint: ScreenEndpoint,
  ) {}

  /** True once x11vnc exited (with -once it exits when the agent's connection closes). */
  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Start x11vnc; resolves once it listens, rejects with what it said otherwise (nothing left behind). */
  static async start(o: X11vncOptions): Promise<X11vncProcess> {
    const folder = sessionFolder(o.stateDir, o.sessionId);
    mkdirSync(o.stateDir, { recursive: true, mode: 0o700 });
    await stopLeftOver(folder);
    mkdirSync(folder, { mode: 0o700 });
    const password = oneTimePassword();
    const passwordFile = join(folder, 'passwd');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600, flag: 'wx' });
    const args = ['-display', o.display, '-localhost', '-noipv6', '-once', '-passwdfile', passwordFile];
    args.push('-rfbport', String(o.port), '-norc', '-nowf', '-noxdamage', '-nocursor', '-quiet');
    // A small fixed environment: x11vnc gets the display's cookie file, nothing else of the agent's.
    const env: Record<string, string> = { PATH: '/usr/bin:/bin', ...(o.xauthority ? { XAUTHORITY: o.xauthority } : {}) };
    const child = spawn(o.executable ?? DEFAULT_X11VNC_PATH, args, { env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    writeFileSync(join(folder, 'pid'), `${child.pid ?? ''}\n`, { mode: 0o600 });
    const p = new X11vncProcess(child, folder, { host: o.host, port: o.port, password });
    try {
      await listening(child, o.port, o.startTimeoutMs ?? 8000);
    } catch (err) {
      await p.stop();
      throw err;
    }
    return p;
  }

  /** Stop x11vnc (SIGTERM, then SIGKILL), wait for it to exit, delete the folder and its password. */
  async stop(): Promise<void> {
    await stopChild(this.child);
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** Resolves when x11vnc printed PORT=<port> (it listens then); rejects if it exits, names another port or is slow. */
function listening(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => done(new Error(`x11vnc did not listen within ${timeoutMs} ms: ${tail(log)}`)), timeoutMs);
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      // Keep draining its output so x11vnc never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      if (err) reject(err);
      else resolve();
    };
    const onData = (d: Buffer) => {
      log = (log + d.toString('latin1')).slice(-LOG_LIMIT);
      const m = /^PORT=(\d+)$/m.exec(log);
      if (!m) return;
      if (Number(m[1]) === port) done();
      else done(new Error(`x11vnc listens on ${m[1]}, not on the policy's port ${port} (is the port in use?)`));
    };
    const onExit = (code: number | null) => done(new Error(`x11vnc exited (${code}) before it listened: ${tail(log)}`));
    const onError = (err: Error) => done(new Error(`x11vnc could not be started: ${err.message}`));
    child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString('latin1')).slice(-LOG_LIMIT)));
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

const tail = (log: string) => log.trim().split('\n').slice(-3).join(' / ') || '(no output)';

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}

/**
 * What an earlier run left (the agent crashed with x11vnc running): stop the
 * pid in the folder if it still is that x11vnc (its command line names this
 * folder's password file, so a reused pid is never killed), then delete the folder.
 */
export async function stopLeftOver(folder: string): Promise<void> {
  if (!existsSync(folder)) return;
  const pid = Number(readText(join(folder, 'pid')).trim());
  if (Number.isInteger(pid) && pid > 1 && readText(`/proc/${pid}/cmdline`).includes(join(folder, 'passwd'))) {
    signal(pid, 'SIGTERM');
    const end = Date.now() + 2000;
    while (existsSync(`/proc/${pid}`) && !isZombie(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    if (existsSync(`/proc/${pid}`) && !isZombie(pid)) signal(pid, 'SIGKILL');
  }
  rmSync(folder, { recursive: true, force: true });
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

const isZombie = (pid: number) => / Z /.test(readText(`/proc/${pid}/stat`).replace(/^.*\)/, ''));

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}
