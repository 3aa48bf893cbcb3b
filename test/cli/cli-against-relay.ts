// The world most built-CLI tests run in: the CLI built once for the file, and for each
// test a fresh relay, a technician `alice` with a token, and a scripted agent `dev-1`.
import { afterEach, beforeAll, beforeEach } from 'vitest';
import type { Scope } from '../../src/protocol/scopes.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import type { ScriptedAgent } from '../relay/scripted-agent.js';
import { ensureBuilt } from './built-cli.js';

export interface CliWorld {
  readonly t: TestRelay;
  readonly token: string;
  readonly agent: ScriptedAgent;
}

/** Registers the hooks; the returned object always names the current test's relay, token and agent. */
export function cliAgainstRelay(alice: { scopes?: Scope[]; unattended?: boolean } = {}): CliWorld {
  let current: { t: TestRelay; token: string; agent: ScriptedAgent } | undefined;
  const now = () => {
    if (!current) throw new Error('the relay of this test is not started (use it inside a test)');
    return current;
  };
  beforeAll(ensureBuilt, 120_000);
  beforeEach(async () => {
    const t = await startTestRelay();
    const token = await t.addTechnician('alice', alice);
    current = { t, token, agent: await t.agent('dev-1') };
  });
  afterEach(async () => {
    await current?.t.close();
    current = undefined;
  });
  return {
    get t() {
      return now().t;
    },
    get token() {
      return now().token;
    },
    get agent() {
      return now().agent;
    },
  };
}
