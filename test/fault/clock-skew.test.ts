// Fault suite: the agent machine's clock is 10 minutes off. Signed messages
// carry issue times, so a skew past the 5-minute allowance must fail closed
// with a reason a person can act on, never grant anything; a skew inside the
// allowance must keep working. Real `porchlight agent --headless` processes
// with a skewed wall clock (a --import preload) against a real relay.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { recordsForTicket } from '../../src/core/audit/export.js';
import { ensureBuilt, runCli, type RunningCli } from '../cli/built-cli.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { startHeadlessAgent, stopProcess, tmp } from './processes.js';

beforeAll(ensureBuilt, 120_000);

const SKEW_PRELOAD = new URL('./fixtures/skew-clock.mjs', import.meta.url).pathname;
const MIN = 60_000;
let t: TestRelay | undefined;
let agentCli: RunningCli | undefined;

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && agentCli) console.error(agentCli.stderr());
  await stopProcess(agentCli);
  await t?.close();
  t = agentCli = undefined;
});

async function skewedAgent(deviceId: string, skewMs: number): Promise<{ dataDir: string; techToken: string }> {
  t = await startTestRelay();
  const techToken = await t.addTechnician('alice');
  const dir = tmp('skew');
  const dataDir = join(dir, 'data');
  agentCli = await startHeadlessAgent(
    dir,
    { deviceId, enrollmentToken: await t.enroll(deviceId), dataDir, policy: { relayUrl: t.relay.url, relayPublicKey: t.relayKey.publicKey } },
    { nodeArgs: ['--import', SKEW_PRELOAD] },
    { PL_CLOCK_SKEW_MS: String(skewMs) },
  );
  return { dataDir, techToken };
}

const request = (techToken: string, deviceId: string, ticket: string) =>
  runCli(['request', '--relay', t!.relay.url, '--token', techToken, '--device', deviceId, '--ticket', ticket, '--reason', 'Clock check', '--scopes', 'view', '--json']);

describe('fault: clock skew', { timeout: 90_000 }, () => {
  it.each([
    ['+10 min', 10 * MIN],
    ['-10 min', -10 * MIN],
  ])('clock skew %s: the relay refuses the agent with a clear reason, the agent says so and keeps trying, nothing is granted', async (_name, skew) => {
    const { dataDir, techToken } = await skewedAgent('srv-skew', skew);
    await agentCli!.waitForStderr(/notify \(info\): The relay refused this device: relay refused the agent: unauthorized \(hello is not fresh \(clock skew over 5 minutes\)\)/);
    // It retries (the clock may be corrected) rather than giving up or exiting.
    await agentCli!.waitForStderr(/status: connecting[^\n]*\n(?:.*\n)*.*status: connecting/);
    expect(agentCli!.child.exitCode).toBeNull();
    expect(t!.relay.router.isOnline('srv-skew')).toBe(false);

    const r = await request(techToken, 'srv-skew', 'INC-SKEW');
    expect(r.code).toBe(7);
    // Its hello never got through, so it never enrolled: the relay has no key for it.
    expect(r.stdout).toContain('"unknown-device"');
    await stopProcess(agentCli, 'SIGTERM');
    expect(recordsForTicket(join(dataDir, 'audit'), 'INC-SKEW')).toEqual([]);
  });

  it.each([
    ['+4 min', 4 * MIN],
    ['-4 min', -4 * MIN],
  ])('clock skew %s (inside the 5-minute allowance): the agent connects and answers requests', async (_name, skew) => {
    const { dataDir, techToken } = await skewedAgent('srv-skew-ok', skew);
    await agentCli!.waitForStderr(/status: connected/);
    const r = await request(techToken, 'srv-skew-ok', 'INC-SKEW-OK');
    expect(r.code).toBe(4);
    expect(r.stdout.trim().split('\n').at(-1)).toContain('"no-user-present"');
    await stopProcess(agentCli, 'SIGTERM');
    const decision = recordsForTicket(join(dataDir, 'audit'), 'INC-SKEW-OK').find((x) => x.type === 'consent.decision');
    expect(decision).toMatchObject({ outcome: 'no-user-present' });
    // The agent's records carry its own (skewed) time: the skew is visible in the evidence.
    expect(Math.abs(Date.parse(decision!.ts) - Date.now() - skew)).toBeLessThan(MIN);
  });
});
