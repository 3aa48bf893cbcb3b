// The gate registry with real command gates and a real audit log: all gates of
// a scope must apply, a failure undoes the ones already applied, and nothing
// runs when the intent can't be recorded first.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GateSession } from '../../../src/core/access/access-gate.js';
import { CommandGate } from '../../../src/core/access/command-gate.js';
import { GateSet } from '../../../src/core/access/gate-set.js';
import { AuditLog } from '../../../src/core/audit/audit-log.js';
import { RecordThenSend } from '../../../src/core/audit/record-then-send.js';
import { UnavailableAudit } from '../../../src/core/audit/unavailable-audit.js';
import type { Notification } from '../../../src/core/ui-port.js';
import { systemClock } from '../../../src/shared/clock.js';
import { hookDir, type HookDir } from './hook-scripts.js';

const session: GateSession = { sessionId: 'ses-9', ticketId: 'INC-9', technicianId: 'bob', technicianName: 'Bob', deviceId: 'dev-0001' };

let hooks: HookDir;
let auditDir: string;
let log: AuditLog;
let notes: Notification[];
beforeEach(async () => {
  hooks = hookDir();
  auditDir = mkdtempSync(join(tmpdir(), 'pl-gateset-'));
  log = await AuditLog.open({ dir: auditDir, clock: systemClock });
  notes = [];
});
afterEach(async () => {
  await log.close();
  hooks.remove();
  rmSync(auditDir, { recursive: true, force: true });
});

function commandGate(audited: RecordThenSend, name: string, grantBody: string): CommandGate {
  const hook = { grant: [hooks.script(`${name}-on.sh`, grantBody)], revoke: [hooks.script(`${name}-off.sh`)], timeoutSec: 5 };
  return new CommandGate({ hooks: { admin: hook }, recordRun: (f) => audited.recordOnly('hook.ran', f) });
}

const types = () =>
  readdirSync(auditDir)
    .flatMap((f) => readFileSync(join(auditDir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => (JSON.parse(l) as { type: string }).type);

describe.skipIf(process.platform === 'win32')('gate set', () => {
  it('grants a scope only when every gate of it applied, and undoes the ones that did when one fails', async () => {
    const audited = new RecordThenSend(log, () => true);
    const first = commandGate(audited, 'first', 'exit 0');
    const second = commandGate(audited, 'second', 'exit 1');
    const gates = new GateSet([{ scope: 'admin', gate: first }, { scope: 'admin', gate: second }], audited, { notify: (n) => notes.push(n) });
    const result = await gates.grant(session, ['view', 'admin']);
    expect(result.applied).toEqual(['view']);
    expect(result.failed.map((f) => [f.scope, f.error.code])).toEqual([['admin', 'gate-failed']]);
    expect(hooks.runs().map((r) => r.split(' ')[0])).toEqual(['grant', 'grant', 'revoke', 'revoke']);
    expect(notes.map((n) => n.title)).toEqual(['Access could not be opened']);
  });

  it('runs no gate when the intent record cannot be written', async () => {
    const audited = new RecordThenSend(new UnavailableAudit('disk gone'), () => true);
    const gates = new GateSet([{ scope: 'admin', gate: commandGate(audited, 'only', 'exit 0') }], audited, { notify: (n) => notes.push(n) });
    const result = await gates.grant(session, ['admin']);
    expect(result.applied).toEqual([]);
    expect(hooks.runs()).toEqual([]);
  });

  it('records gate.session-closed at end only when every gate closed', async () => {
    const audited = new RecordThenSend(log, () => true);
    const gates = new GateSet([{ scope: 'admin', gate: commandGate(audited, 'only', 'exit 0') }], audited, { notify: (n) => notes.push(n) });
    await gates.grant(session, ['admin']);
    expect(await gates.end(session)).toEqual([]);
    expect(types()).toEqual(['gate.opening', 'hook.ran', 'gate.opened', 'hook.ran', 'gate.session-closed']);
  });
});
