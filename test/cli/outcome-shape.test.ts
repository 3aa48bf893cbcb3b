// `porchlight request --json`: every terminal outcome, whichever side ended the
// request, is one decision-like line with outcome, granted, declined,
// decidedBy, code and detail (the built CLI against a real relay and a
// scripted agent); README.md shows one example per outcome in that shape.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { acceptAndFinish, block, decide, decline, expire } from '../relay/scripted-agent.js';
import { freePort } from '../support/free-port.js';
import { runCli } from './built-cli.js';
import { cliAgainstRelay } from './cli-against-relay.js';

const SHAPE_KEYS = ['outcome', 'granted', 'declined', 'decidedBy', 'code', 'detail'] as const;
const world = cliAgainstRelay({ scopes: ['view', 'control'] });

const ask = (extra: string[] = [], o: { device?: string; relay?: string; tok?: string } = {}) =>
  runCli(['request', '--relay', o.relay ?? world.t.relay.url, '--token', o.tok ?? world.token, '--device', o.device ?? 'dev-1', '--ticket', 'INC-SHAPE', '--reason', 'VPN', '--scopes', 'view,control', '--json', ...extra]);

/** The line that ended the request: the last decision-like line. */
function terminal(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const decisions = lines.filter((l) => l.type === 'session.decision');
  expect(decisions).toHaveLength(1);
  return decisions[0]!;
}

function expectShape(line: Record<string, unknown>): void {
  for (const key of SHAPE_KEYS) expect(line, `key ${key}`).toHaveProperty(key);
  expect(Array.isArray(line.granted) && Array.isArray(line.declined)).toBe(true);
}

describe('one JSON shape for every terminal outcome', () => {
  it.each([
    ['accepted', acceptAndFinish(), 0, { outcome: 'accepted', granted: ['view', 'control'], declined: [], decidedBy: 'user', code: null, detail: null }],
    ['partial', acceptAndFinish(['view']), 3, { outcome: 'partial', granted: ['view'], declined: ['control'], decidedBy: 'user' }],
    ['declined', decline, 4, { outcome: 'declined', granted: [], declined: ['view', 'control'], decidedBy: 'user', code: null }],
    ['expired', expire, 5, { outcome: 'expired', decidedBy: 'timeout' }],
    ['blocked by the agent', block, 6, { outcome: 'blocked', decidedBy: 'policy', code: 'policy-blocked' }],
    ['no user present', (req: Parameters<typeof decline>[0]) => [decide(req, 'no-user-present', [])], 4, { outcome: 'no-user-present', decidedBy: 'no-user' }],
  ] as const)('agent decision %s', async (_name, answer, exit, expected) => {
    world.agent.answer = answer;
    const r = await ask();
    expect(r.code).toBe(exit);
    const line = terminal(r.stdout);
    expectShape(line);
    expect(line).toMatchObject(expected);
  });

  it('a relay refusal (scope the technician may not request) is a decision by the relay', async () => {
    const r = await runCli(['request', '--relay', world.t.relay.url, '--token', world.token, '--device', 'dev-1', '--ticket', 'INC-SHAPE', '--reason', 'VPN', '--scopes', 'view,admin', '--json']);
    expect(r.code).toBe(6);
    const line = terminal(r.stdout);
    expectShape(line);
    expect(line).toMatchObject({ outcome: 'blocked', granted: [], declined: ['view', 'admin'], decidedBy: 'relay', code: 'forbidden', detail: expect.stringContaining('admin') });
    expect(world.agent.received.filter((m) => m.type === 'session.request')).toEqual([]);
  });

  it('a device never enrolled, a bad world.token and no relay at all: the same shape', async () => {
    const offline = await ask([], { device: 'dev-gone' });
    expect(offline.code).toBe(7);
    expect(terminal(offline.stdout)).toMatchObject({ outcome: 'offline', decidedBy: 'relay', code: 'unknown-device', granted: [], declined: ['view', 'control'] });
    expectShape(terminal(offline.stdout));
    const bad = await ask([], { tok: 'A'.repeat(43) });
    expect(bad.code).toBe(8);
    expect(terminal(bad.stdout)).toMatchObject({ outcome: 'unauthorized', code: 'unauthorized' });
    expectShape(terminal(bad.stdout));
    const none = await ask([], { relay: `ws://127.0.0.1:${await freePort()}` });
    expect(none.code).toBe(1);
    const line = terminal(none.stdout);
    expectShape(line);
    expect(line).toMatchObject({ outcome: 'failed', decidedBy: 'connection', code: 'connect-failed' });
  });

  it('the technician\'s --timeout: the same shape, decided by the technician', async () => {
    world.agent.answer = () => [];
    const r = await ask(['--timeout', '1']);
    expect(r.code).toBe(5);
    expect(terminal(r.stdout)).toMatchObject({ outcome: 'expired', decidedBy: 'technician', code: 'expired', detail: 'no decision within 1 s; request withdrawn' });
  });

  it('README.md shows one example per outcome, each in the one shape', () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = /```json outcomes\n([\s\S]*?)```/.exec(readme);
    expect(block, 'a ```json outcomes block in README.md').not.toBeNull();
    const examples = block![1]!.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const e of examples) {
      expect(e.type).toBe('session.decision');
      expectShape(e);
    }
    const outcomes = new Set(examples.map((e) => e.outcome));
    for (const o of ['accepted', 'partial', 'declined', 'expired', 'blocked', 'no-user-present', 'offline', 'unauthorized', 'failed']) expect(outcomes, o).toContain(o);
    expect(examples.some((e) => e.decidedBy === 'relay')).toBe(true);
  });
});
