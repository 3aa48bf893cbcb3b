// Restart after a crash: what the audit log shows opened and never closed is
// closed through the gates before the agent connects. The log is a real one,
// written by AuditLog as a crashed agent would have left it.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src/core/audit/audit-log.js';
import { verifyAuditLog } from '../../../src/core/audit/verify.js';
import { defaultAuditDir } from '../../../src/core/data-dir.js';
import { FakeClock } from '../fake-clock.js';
import { startHarness, type Harness } from '../agent-harness.js';
import { hookDir, type HookDir } from './hook-scripts.js';

let h: Harness | undefined;
let hooks: HookDir;
let dataDir: string;
afterEach(async () => {
  await h?.stop();
  h = undefined;
  hooks?.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

const who = { ticketId: 'INC-7', technicianId: 'alice', technicianName: 'Alice', deviceId: 'dev-0001' };

/** The log a crashed agent leaves: admin opened in ses-crashed (never closed), ses-clean closed properly. */
async function crashedLog(dir: string): Promise<void> {
  // An hour before the harness clock starts: the crash happened earlier the same day.
  const earlier = new FakeClock(new FakeClock().now() - 3600_000);
  const log = await AuditLog.open({ dir, clock: earlier });
  await log.append('agent.started', { deviceId: 'dev-0001' });
  await log.append('gate.opening', { sessionId: 'ses-clean', ...who, scope: 'admin', gate: 'command' });
  await log.append('gate.opened', { sessionId: 'ses-clean', ...who, scope: 'admin', gate: 'command' });
  await log.append('consent.decision', { sessionId: 'ses-clean', ...who, granted: ['admin'], outcome: 'accepted' });
  await log.append('gate.session-closed', { sessionId: 'ses-clean', ...who });
  await log.append('session.ended', { sessionId: 'ses-clean', by: 'user' });
  await log.append('gate.opening', { sessionId: 'ses-crashed', ...who, scope: 'admin', gate: 'command' });
  await log.append('gate.opened', { sessionId: 'ses-crashed', ...who, scope: 'admin', gate: 'command' });
  await log.append('consent.decision', { sessionId: 'ses-crashed', ...who, granted: ['view', 'admin'], outcome: 'accepted' });
  await log.close();
}

function records(dir: string): { type: string; [k: string]: unknown }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as { type: string });
}

async function agentOnCrashedLog(revokeBody: string): Promise<Harness> {
  hooks = hookDir();
  dataDir = mkdtempSync(join(tmpdir(), 'pl-recover-'));
  await crashedLog(defaultAuditDir(dataDir));
  const admin = { grant: [hooks.script('add.sh')], revoke: [hooks.script('remove.sh', revokeBody)], timeoutSec: 5 };
  h = await startHarness({ dataDir, policy: { accessHooks: { admin } }, waitConnected: false });
  return h;
}

describe.skipIf(process.platform === 'win32')('restart recovery through the gates', () => {
  it('runs the revoke hook for a session left open, before the agent says hello to the relay', async () => {
    // The hook takes a while: if the agent connected before recovery finished, the relay would see a hello by now.
    const a = await agentOnCrashedLog('sleep 0.5');
    expect(a.relay.hellos).toHaveLength(0);
    expect(hooks.runs()).toEqual(['revoke admin ses-crashed INC-7 alice']);
    const log = records(defaultAuditDir(dataDir));
    expect(log.find((r) => r.type === 'gate.recovered')).toMatchObject({ sessionId: 'ses-crashed', scopes: ['admin'], ok: true });
    expect(log.filter((r) => r.type === 'gate.session-closed').map((r) => r.sessionId)).toEqual(['ses-clean', 'ses-crashed']);
    expect(verifyAuditLog(defaultAuditDir(dataDir)).ok).toBe(true);
  });

  it('does it once: the next start finds the session closed', async () => {
    const a = await agentOnCrashedLog('exit 0');
    await a.restart();
    expect(hooks.runs()).toEqual(['revoke admin ses-crashed INC-7 alice']);
  });

  it('retries at the next start when the revoke hook failed, and tells the user', async () => {
    const a = await agentOnCrashedLog(`if [ ! -e "$(dirname "$0")/failed" ]; then touch "$(dirname "$0")/failed"; exit 1; fi`);
    expect(a.ui.notifications.find((n) => n.title === 'Access may still be open')?.body).toContain('Alice');
    expect(records(defaultAuditDir(dataDir)).find((r) => r.type === 'gate.recovered')).toMatchObject({ ok: false });
    await a.restart();
    expect(hooks.runs()).toEqual(['revoke admin ses-crashed INC-7 alice', 'revoke admin ses-crashed INC-7 alice']);
    const recovered = records(defaultAuditDir(dataDir)).filter((r) => r.type === 'gate.recovered');
    expect(recovered.map((r) => r.ok)).toEqual([false, true]);
  });
});
