// The end of a test with two relay processes behind HAProxy (load-balancer.test.ts,
// console-failover.spec.ts): every process killed and awaited, the servers stopped, the data gone.
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Agent } from '../../src/core/agent.js';
import type { RunningCli } from '../cli/built-cli.js';
import type { PostgresServer } from '../support/postgres-server.js';
import type { RedisServer } from '../support/redis-server.js';

export interface RelayPairParts {
  agent: Agent | undefined;
  lb: ChildProcess | undefined;
  relays: readonly RunningCli[];
  pg: PostgresServer | undefined;
  redis: RedisServer | undefined;
  data: string;
}

export async function tearDownRelayPair(p: RelayPairParts): Promise<void> {
  await p.agent?.stop();
  p.lb?.kill('SIGKILL');
  for (const r of p.relays) r.child.kill('SIGKILL');
  await Promise.all(p.relays.map((r) => r.done));
  await Promise.all([p.pg?.stop(), p.redis?.stop()]);
  rmSync(p.data, { recursive: true, force: true });
}
