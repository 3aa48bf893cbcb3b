// --bus for `porchlight relay`: join the other instances over Redis. The URL is checked before
// anything connects; the instance id names this process on the bus and in logs.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { identifier } from '../protocol/primitives.js';
import { BusPeerDirectory } from '../relay/bus/bus-peer-directory.js';
import { RedisBus } from '../relay/bus/redis-bus.js';
import { UsageError } from './command.js';

export interface RelayBusHandle {
  directory: BusPeerDirectory;
  /** For the start banner: where the bus is and who this instance is, never a password. */
  description: string;
  close(): Promise<void>;
}

function busUrl(value: string): URL {
  if (!URL.canParse(value)) throw new UsageError('--bus is not a URL (redis://host:6379)');
  const url = new URL(value);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new UsageError('--bus must start with redis:// or rediss://');
  if (url.hostname === '') throw new UsageError('--bus must name a host');
  return url;
}

function instanceName(given: string | undefined): string {
  const name = given ?? `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40) || 'relay'}-${randomBytes(4).toString('hex')}`;
  if (!identifier.safeParse(name).success) throw new UsageError('--instance-id must be 1-64 chars of A-Z a-z 0-9 _ . : -');
  return name;
}

function aliveMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 250 || ms > 600_000) throw new UsageError('--bus-alive-ms must be a whole number of milliseconds, 250..600000');
  return ms;
}

export async function joinBus(value: string, o: { instanceId?: string; aliveMs?: string }, log: (line: string) => void): Promise<RelayBusHandle> {
  const url = busUrl(value);
  const id = instanceName(o.instanceId);
  const alive = aliveMs(o.aliveMs);
  const bus = await RedisBus.connect(value);
  try {
    const directory = await BusPeerDirectory.start({ bus, instanceId: id, log, ...(alive ? { aliveMs: alive } : {}) });
    return {
      directory,
      description: `Redis ${url.hostname}:${url.port || '6379'} as instance ${id}`,
      async close() {
        await directory.close();
        await bus.close();
      },
    };
  } catch (err) {
    await bus.close();
    throw err;
  }
}
