// A throwaway redis-server for one test file: 127.0.0.1, a free port, no persistence, stopped
// afterwards. `.ci/run` installs the Debian package.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort } from './free-port.js';

const BIN = '/usr/bin/redis-server';

export const redisInstalled = (): boolean => existsSync(BIN);

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  for (const s of [child.stdout!, child.stderr!]) s.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const end = Date.now() + 10_000;
  while (!(await pong(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${log}`);
    if (Date.now() > end) throw new Error(`redis-server did not answer PING in 10 s: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
