// A throwaway PostgreSQL server for one test file: initdb into a temp dir, postgres on 127.0.0.1
// on a free port, trust auth for one user, stopped and deleted afterwards. As root it runs as the
// `postgres` system user (postgres refuses root). `.ci/run` installs the Debian package.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

const USER = 'porchlight';

/** The directory of initdb/postgres, or null when PostgreSQL is not installed. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

export interface PostgresServer {
  url: string;
  /** A new, empty database on this server (one per test keeps tests apart). */
  createDatabase(name: string): Promise<string>;
  /** SIGKILL: what a crashed database looks like to its clients. */
  kill(): void;
  stop(): Promise<void>;
}

/** util-linux's runuser lives in sbin, which a CI PATH (/usr/local/bin:/usr/bin:/bin) may lack. */
const RUNUSER = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find((p) => existsSync(p)) ?? 'runuser';

function asPostgresUser(bin: string, args: string[]): { command: string; args: string[] } {
  const asRoot = process.getuid?.() === 0;
  return asRoot ? { command: RUNUSER, args: ['-u', 'postgres', '--', bin, ...args] } : { command: bin, args };
}

/** `durable`: keep fsync on (benchmarks of append rate); tests run without it. */
export async function startPostgres(o: { durable?: boolean } = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'pl-pg-'));
  chmodSync(dir, 0o700);
  if (process.getuid?.() === 0) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(ids.stdout.trim()), Number(gid.stdout.trim()));
  }
  const data = join(dir, 'data');
  const init = asPostgresUser(join(bin, 'initdb'), ['-D', data, '-U', USER, '--auth=trust', '-E', 'UTF8', '--no-instructions']);
  const made = spawnSync(init.command, init.args, { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`initdb failed: ${made.error?.message ?? (made.stderr || made.stdout)}`);

  const port = await freePort();
  const run = asPostgresUser(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', ...(o.durable ? [] : ['-c', 'fsync=off'])]);
  // Its own process group, so a signal reaches the postmaster through runuser.
  const child: ChildProcess = spawn(run.command, run.args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const url = `postgres://${USER}@127.0.0.1:${port}/postgres`;
  await waitUntilAccepting(url, child, () => log);

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://${USER}@127.0.0.1:${port}/${name}`;
    },
    kill() {
      signalGroup(child, 'SIGKILL');
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        signalGroup(child, 'SIGINT'); // fast shutdown: ends sessions, no checkpoint wait
        const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/** Up to 20 s (initdb plus first start on a busy 2-core machine), failing with the server's own log. */
async function waitUntilAccepting(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const end = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}: ${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > end) throw new Error(`postgres did not accept connections in 20 s: ${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
