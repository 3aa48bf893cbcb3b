// The relay bus over Redis (ioredis): PUBLISH/SUBSCRIBE for frames and presence events, a hash
// for device -> instance, and one key with a TTL per live instance. Two connections, because a
// subscribed Redis connection can do nothing else.
import { Redis } from 'ioredis';
import type { Bus } from './bus.js';
import type { PendingLimits } from '../routing/pending-caps.js';
import type { PendingHold, SharedPendingCounts } from '../routing/shared-pending.js';

const PRESENCE_HASH = 'porchlight:presence';
const aliveKey = (instance: string) => `porchlight:alive:${instance}`;

// Delete the field only while it still names this instance: a device that moved on stays.
const CLEAR_IF_OURS = `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0`;

// One sorted set per technician and per device, members scored by when they lapse: drop the lapsed,
// refuse when either is full, else add to both. Atomic, so instances racing can't both take the last slot.
const HOLD_PENDING = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 1 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 2 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return 0`;
const pendingKeys = (h: PendingHold) => [`porchlight:pending:t:${h.technicianId}`, `porchlight:pending:d:${h.deviceId}`];

export class BusUnavailableError extends Error {
  override readonly name = 'BusUnavailableError';
  readonly code = 'bus-unavailable';
}

export class RedisBus implements Bus {
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly handlers = new Map<string, (message: string) => void>();
  readonly pending: SharedPendingCounts = {
    tryHold: async (h: PendingHold, limits: PendingLimits, now: number) => {
      // The sets outlive their newest member by a margin, so an idle technician leaves nothing behind.
      const ttl = Math.max(1, h.expiresAt - now) + 60_000;
      const args = [now, h.expiresAt, h.holdId, limits.perTechnician, limits.perDevice, ttl];
      const full = await this.commands.eval(HOLD_PENDING, 2, ...pendingKeys(h), ...args);
      return full === 1 ? 'technician' : full === 2 ? 'device' : null;
    },
    release: async (h: PendingHold) => {
      const [t, d] = pendingKeys(h);
      await this.commands.multi().zrem(t!, h.holdId).zrem(d!, h.holdId).exec();
    },
  };

  private constructor(url: string) {
    // Fail a command fast while Redis is down instead of queueing frames without bound.
    const options = { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5000 };
    this.commands = new Redis(url, options);
    this.subscriber = new Redis(url, options);
    for (const c of [this.commands, this.subscriber]) c.on('error', () => undefined); // reported by the failing call
    this.subscriber.on('message', (channel: string, message: string) => this.handlers.get(channel)?.(message));
  }

  /** Connect both connections; a bus that cannot be reached is a clear error at relay start. */
  static async connect(url: string): Promise<RedisBus> {
    const bus = new RedisBus(url);
    try {
      await Promise.all([bus.commands.connect(), bus.subscriber.connect()]);
      return bus;
    } catch (err) {
      bus.commands.disconnect();
      bus.subscriber.disconnect();
      throw new BusUnavailableError(`the relay bus cannot be reached at ${new URL(url).host} (${(err as Error).message})`, { cause: err });
    }
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.commands.publish(channel, message);
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<void> {
    this.handlers.set(channel, handler);
    await this.subscriber.subscribe(channel);
  }

  async setPresence(deviceId: string, instance: string): Promise<void> {
    await this.commands.hset(PRESENCE_HASH, deviceId, instance);
  }

  async clearPresence(deviceId: string, instance: string): Promise<void> {
    await this.commands.eval(CLEAR_IF_OURS, 1, PRESENCE_HASH, deviceId, instance);
  }

  async allPresence(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.commands.hgetall(PRESENCE_HASH)));
  }

  async markAlive(instance: string, ttlMs: number): Promise<void> {
    await this.commands.set(aliveKey(instance), '1', 'PX', ttlMs);
  }

  async isAlive(instance: string): Promise<boolean> {
    return (await this.commands.exists(aliveKey(instance))) === 1;
  }

  async markGone(instance: string): Promise<void> {
    await this.commands.del(aliveKey(instance));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.subscriber.quit(), this.commands.quit()]);
  }
}
