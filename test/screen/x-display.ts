// Real parts for the screen tests: an Xvfb display on a free number, a solid
// colour drawn on its root window, x11vnc on a free loopback port, and the
// pointer position as the X server has it. Each started process is stopped
// by its own pid in stop().
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { promisify } from 'node:util';
import { until } from '../support/bounded-wait.js';

const run = promisify(execFile);
export const X_BINARIES = ['/usr/bin/Xvfb', '/usr/bin/x11vnc', '/usr/bin/xdotool', '/usr/bin/xsetroot'];
export const missingXBinaries = (): string[] => X_BINARIES.filter((b) => !existsSync(b));

export interface XWorld {
  display: string;
  vncPort: number;
  /** x11vnc's own log (connections it saw). */
  vncLog: () => string;
  pointer(): Promise<{ x: number; y: number }>;
  movePointer(x: number, y: number): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function freeDisplay(): number {
  for (let n = 90 + Math.floor(Math.random() * 300); n < 1000; n++) {
    if (!existsSync(`/tmp/.X11-unix/X${n}`) && !existsSync(`/tmp/.X${n}-lock`)) return n;
  }
  throw new Error('no free X display number');
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(t);
}

export interface XDisplay {
  display: string;
  pointer(): Promise<{ x: number; y: number }>;
  movePointer(x: number, y: number): Promise<void>;
  stop(): Promise<void>;
}

/** Xvfb 320x240x24 with the root window painted `colour` (#rrggbb); no VNC server (the screen gate starts its own). */
export async function startXDisplay(colour: string): Promise<XDisplay> {
  const n = freeDisplay();
  const display = `:${n}`;
  const xvfb = spawn('/usr/bin/Xvfb', [display, '-screen', '0', '320x240x24', '-nolisten', 'tcp', '-noreset'], { stdio: 'ignore' });
  const env = { ...process.env, DISPLAY: display };
  try {
    await until(() => existsSync(`/tmp/.X11-unix/X${n}`) || xvfb.exitCode !== null, `Xvfb on ${display}`, () => `exit ${xvfb.exitCode}`);
    if (xvfb.exitCode !== null) throw new Error(`Xvfb ${display} exited with ${xvfb.exitCode}`);
    await run('/usr/bin/xsetroot', ['-solid', colour], { env });
  } catch (err) {
    await stopProcess(xvfb);
    throw err;
  }
  return {
    display,
    async pointer() {
      const { stdout } = await run('/usr/bin/xdotool', ['getmouselocation'], { env });
      const m = /x:(\d+) y:(\d+)/.exec(stdout);
      if (!m) throw new Error(`xdotool said ${stdout}`);
      return { x: Number(m[1]), y: Number(m[2]) };
    },
    async movePointer(x, y) {
      await run('/usr/bin/xdotool', ['mousemove', String(x), String(y)], { env });
    },
    stop: () => stopProcess(xvfb),
  };
}

/** startXDisplay, and x11vnc serving it on loopback without a password. */
export async function startXWorld(colour: string): Promise<XWorld> {
  const x = await startXDisplay(colour);
  const { display } = x;
  const env = { ...process.env, DISPLAY: display };
  let log = '';
  let vnc: ChildProcess | undefined;
  try {
    const vncPort = await freePort();
    const args = ['-display', display, '-localhost', '-rfbport', String(vncPort), '-nopw', '-forever', '-shared', '-noxdamage', '-nowf', '-norc', '-nocursor'];
    const started = spawn('/usr/bin/x11vnc', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    vnc = started;
    started.stdout.on('data', (d: Buffer) => (log += d.toString()));
    started.stderr.on('data', (d: Buffer) => (log += d.toString()));
    // x11vnc prints PORT=N once it listens; connecting before that races its start-up.
    await until(() => /PORT=\d+/.test(log) || started.exitCode !== null, `x11vnc on 127.0.0.1:${vncPort}`, () => log.slice(-600), { ms: 8000 });
    const up = started.exitCode === null && (await canConnect(vncPort));
    if (!up) throw new Error(`x11vnc did not listen on ${vncPort}: ${log.slice(-600)}`);
    return {
      ...x,
      vncPort,
      vncLog: () => log,
      async stop() {
        await stopProcess(started);
        await x.stop();
      },
    };
  } catch (err) {
    if (vnc) await stopProcess(vnc);
    await x.stop();
    throw err;
  }
}
