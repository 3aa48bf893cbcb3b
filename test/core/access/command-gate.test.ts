import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GateError, type GateSession } from '../../../src/core/access/access-gate.js';
import { CommandGate } from '../../../src/core/access/command-gate.js';
import { HOOK_OUTPUT_LIMIT } from '../../../src/core/access/run-hook.js';
import type { AccessHook } from '../../../src/core/policy/schema.js';
import type { Scope } from '../../../src/protocol/scopes.js';
import { hookDir, type HookDir } from './hook-scripts.js';

const session: GateSession = {
  sessionId: 'ses-1',
  ticketId: 'INC-42',
  technicianId: 'alice',
  technicianName: 'Alice',
  deviceId: 'dev-0001',
};

let hooks: HookDir;
let runs: Record<string, unknown>[];
beforeEach(() => {
  hooks = hookDir();
  runs = [];
});
afterEach(() => hooks.remove());

function gate(config: Partial<Record<Scope, AccessHook>>): CommandGate {
  return new CommandGate({ hooks: config, recordRun: async (f) => void runs.push(f) });
}

function hook(grant: string[], revoke: string[], timeoutSec = 5): AccessHook {
  return { grant, revoke, timeoutSec };
}

async function gateError(work: Promise<void>): Promise<GateError> {
  const e: unknown = await work.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof GateError)) throw new Error(`expected a GateError, got ${String(e)}`);
  return e;
}

/** 'gone' when the process is dead (a zombie not yet reaped by init counts as dead), else its /proc state. */
function liveState(pid: number): string {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return 'gone';
  const state = readFileSync(stat, 'utf8').split(') ')[1]?.[0];
  return state === 'Z' || state === 'X' ? 'gone' : `state ${state}`;
}

describe.skipIf(process.platform === 'win32')('command gate (admin hooks)', () => {
  it('runs the grant argv with the session, ticket and technician in its environment', async () => {
    const add = hooks.script('add.sh');
    const g = gate({ admin: hook([add, 'porchlight-temp'], [hooks.script('remove.sh')]) });
    await g.grant(session, 'admin');
    expect(hooks.runs()).toEqual(['grant admin ses-1 INC-42 alice porchlight-temp']);
    expect(runs[0]).toMatchObject({ action: 'grant', scope: 'admin', exitCode: 0, timedOut: false, argv: [add, 'porchlight-temp'] });
  });

  it('passes arguments literally, never through a shell', async () => {
    const marker = join(hooks.dir, 'PWNED');
    const g = gate({ admin: hook([hooks.script('add.sh'), `$(touch ${marker})`, ';', 'touch', marker], ['/bin/true']) });
    await g.grant(session, 'admin');
    expect(existsSync(marker)).toBe(false);
    expect(hooks.runs()[0]).toContain(`$(touch ${marker}) ; touch ${marker}`);
  });

  it('gives the hook none of the agent environment beyond PATH and the session facts', async () => {
    process.env.PORCHLIGHT_TEST_SECRET = 'do-not-leak';
    try {
      const dump = join(hooks.dir, 'env.txt');
      const g = gate({ admin: hook([hooks.script('env.sh', `env > '${dump}'`)], ['/bin/true']) });
      await g.grant(session, 'admin');
      const env = readFileSync(dump, 'utf8');
      expect(env).not.toContain('do-not-leak');
      expect(env).toContain('PORCHLIGHT_SESSION_ID=ses-1');
      expect(env).toContain('PORCHLIGHT_DEVICE_ID=dev-0001');
    } finally {
      delete process.env.PORCHLIGHT_TEST_SECRET;
    }
  });

  it('fails with gate-failed on a non-zero exit, with the bounded output for the audit', async () => {
    const g = gate({ admin: hook([hooks.script('add.sh', 'echo "no such group" >&2; exit 3')], ['/bin/true']) });
    const e = await gateError(g.grant(session, 'admin'));
    expect(e.code).toBe('gate-failed');
    expect(e.details).toMatchObject({ exitCode: 3, stderr: 'no such group\n' });
    expect(runs[0]).toMatchObject({ exitCode: 3, stderr: 'no such group\n' });
  });

  it('kills a hook that overruns its timeout, with what it started, and fails with gate-timeout', async () => {
    const childPid = join(hooks.dir, 'child.pid');
    const slow = hooks.script('slow.sh', `sleep 30 & echo $! > '${childPid}'; wait`);
    const g = gate({ admin: hook([slow], ['/bin/true'], 1) });
    const e = await gateError(g.grant(session, 'admin'));
    expect(e.code).toBe('gate-timeout');
    const pid = Number(readFileSync(childPid, 'utf8'));
    expect(liveState(pid), `the hook's child ${pid} is still running`).toBe('gone');
  });

  it('fails with gate-unavailable when the executable does not exist', async () => {
    const g = gate({ admin: hook([join(hooks.dir, 'missing.sh')], ['/bin/true']) });
    expect((await gateError(g.grant(session, 'admin'))).code).toBe('gate-unavailable');
  });

  it('keeps at most HOOK_OUTPUT_LIMIT bytes of output and counts the rest', async () => {
    const loud = hooks.script('loud.sh', 'head -c 100000 /dev/zero | tr "\\0" x');
    const g = gate({ admin: hook([loud], ['/bin/true']) });
    await g.grant(session, 'admin');
    expect((runs[0]!.stdout as string).length).toBe(HOOK_OUTPUT_LIMIT);
    expect(runs[0]!.droppedBytes).toBe(100000 - HOOK_OUTPUT_LIMIT);
  });

  it('runs the revoke argv on revoke, and at end only for scopes it opened', async () => {
    const g = gate({
      admin: hook([hooks.script('add.sh')], [hooks.script('remove.sh')]),
      'file-transfer': hook([hooks.script('ft-on.sh')], [hooks.script('ft-off.sh')]),
    });
    await g.grant(session, 'admin');
    await g.end(session);
    await g.end(session);
    expect(hooks.runs()).toEqual(['grant admin ses-1 INC-42 alice', 'revoke admin ses-1 INC-42 alice']);
  });
});
