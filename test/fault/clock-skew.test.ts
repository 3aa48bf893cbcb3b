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
let logs: string[] = [];

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && agentCli) console.error(agentCli.stderr());
  await stopProcess(agentCli);
  await t?.close();
  t = agentCli = undefined;
});

async function skewedAgent(deviceId: string, skewMs: number, env: NodeJS.ProcessEnv = {}): Promise<{ dataDir: string; techToken: string }> {
  logs = [];
  t = await startTestRelay({ log: (line) => logs.push(line) });
  const techToken = await t.addTechnician('alice');
  const dir = tmp('skew');
  const dataDir = join(dir, 'data');
  agentCli = await startHeadlessAgent(
    dir,
    { deviceId, enrollmentToken: await t.enroll(deviceId), dataDir, policy: { relayUrl: t.relay.url, relayPublicKey: t.relayKey.publicKey } },
    { nodeArgs: ['--import', SKEW_PRELOAD] },
    { PL_CLOCK_SKEW_MS: String(skewMs), ...env },
  );
  return { dataDir, techToken };
}

const request = (techToken: string, deviceId: string, ticket: string) =>
  runCli(['request', '--relay', t!.relay.url, '--token', techToken, '--device', deviceId, '--ticket', ticket, '--reason', 'Clock check', '--scopes', 'view', '--json']);

describe('fault: clock skew', { timeout: 90_000 }, () => {
  it.each([
    ['+10 min', 10 * MIN, 'ahead of'],
    ['-10 min', -10 * MIN, 'behind'],
  ])('clock skew %s: the relay refuses the agent with a clear reason, the agent says so and keeps trying, the technician reads agent-clock-skew, nothing is granted', async (_name, skew, direction) => {
    // Enrolled with a good clock; the clock is wrong at a later start (only an enrolled key's refusal is remembered).
    const { dataDir, techToken } = await skewedAgent('srv-skew', 0);
    await agentCli!.waitForStderr(/status: connected/);
    await stopProcess(agentCli, 'SIGTERM');
    agentCli = await startHeadlessAgent(
      tmp('skew-restart'),
      { deviceId: 'srv-skew', dataDir, policy: { relayUrl: t!.relay.url, relayPublicKey: t!.relayKey.publicKey } },
      { nodeArgs: ['--import', SKEW_PRELOAD] },
      { PL_CLOCK_SKEW_MS: String(skew) },
    );
    const offset = `10 min(?: [0-9]+ s)? ${direction} the relay \\(limit 5 min\\)\\. Fix the device's time \\(NTP\\)\\.`;
    await agentCli!.waitForStderr(new RegExp(`notify \\(info\\): The relay refused this device: relay refused the agent: unauthorized \\(hello is not fresh: the device clock is ${offset}\\)`));
    // It retries (the clock may be corrected) rather than giving up or exiting.
    await agentCli!.waitForStderr(/status: connecting[^\n]*\n(?:.*\n)*.*status: connecting/);
    expect(agentCli!.child.exitCode).toBeNull();
    expect(t!.relay.router.isOnline('srv-skew')).toBe(false);

    // The technician learns the device is there and why it is refused, not "not connected".
    const r = await request(techToken, 'srv-skew', 'INC-SKEW');
    expect(r.code).toBe(7);
    const answer = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { code: string; detail: string };
    expect(answer.code).toBe('agent-clock-skew');
    expect(answer.detail).toMatch(new RegExp(`^device srv-skew is reachable but was refused: its clock is ${offset}$`));
    const text = await runCli(['request', '--relay', t!.relay.url, '--token', techToken, '--device', 'srv-skew', '--ticket', 'INC-SKEW', '--reason', 'Clock check', '--scopes', 'view']);
    expect(text.stdout + text.stderr).toMatch(new RegExp(`error: agent-clock-skew: device srv-skew is reachable but was refused: its clock is ${offset}`));
    // However often it retried: one central audit record of the refusal (at most one per device per hour).
    const refused = await t!.storage.queryAudit({ kinds: ['agent-refused'] });
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ deviceId: 'srv-skew', data: { reason: 'clock-skew', limitMs: 5 * MIN } });
    expect(Math.abs((refused[0]!.data as { offsetMs: number }).offsetMs - skew)).toBeLessThan(MIN);
    expect(logs.join('\n')).toMatch(new RegExp(`relay: refused device srv-skew: its clock is ${offset}`));
    await stopProcess(agentCli, 'SIGTERM');
    expect(recordsForTicket(join(dataDir, 'audit'), 'INC-SKEW')).toEqual([]);
  });

  it.each([
    ['+10 min', 10 * MIN, 'expired', 5, 'expired', 'ahead of', 'the request has expired'],
    ['-10 min', -10 * MIN, 'blocked', 6, 'not-yet-valid', 'behind', 'the request was issued more than 5 minutes in the future'],
  ])('clock jumps %s after the agent connected: the decline names the offset and the fix', async (_name, jump, outcome, exit, code, direction, what) => {
    const { dataDir, techToken } = await skewedAgent('srv-jump', 0, { PL_CLOCK_JUMP_MS: String(jump) });
    await agentCli!.waitForStderr(/status: connected/);
    agentCli!.child.kill('SIGUSR2');
    await agentCli!.waitForStderr(`test clock: skew now ${jump} ms`);
    const r = await request(techToken, 'srv-jump', 'INC-JUMP');
    expect(r.code).toBe(exit);
    const decision = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { outcome: string; code: string; detail: string };
    expect(decision).toMatchObject({ type: 'session.decision', outcome, code });
    expect(decision.detail).toMatch(new RegExp(`^${what}: this device's clock is 10 min(?: [0-9]+ s)? ${direction} the relay \\(limit 5 min\\)\\. Fix the device's time \\(NTP\\)\\.$`));
    await stopProcess(agentCli, 'SIGTERM');
    expect(recordsForTicket(join(dataDir, 'audit'), 'INC-JUMP').find((x) => x.type === 'consent.decision')).toMatchObject({ code, detail: decision.detail });
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
