// Fault suite: the agent process dies (SIGKILL) during an approved unattended
// session. Real `porchlight relay`, `porchlight agent --headless` and
// `porchlight request` processes. The technician must read that the device
// dropped out (not that the relay went away) with a non-zero exit; the central
// audit and the monthly report name the same cause; the device's own log,
// after the restart, says on what authority the session ran and that it never
// ended cleanly, and records the sha256 of a torn tail it dropped.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listAuditFiles } from '../../src/core/audit/audit-files.js';
import { recordsForTicket } from '../../src/core/audit/export.js';
import { readAuditLines } from '../../src/core/audit/read-lines.js';
import { canonicalize, sha256Hex } from '../../src/protocol/index.js';
import { ensureBuilt, runCli, startCli, type RunningCli } from '../cli/built-cli.js';
import { addTechnician, approval, approvalsKey, enrollDevice, freePort, startHeadlessAgent, startRelayProcess, stopProcess, tmp, type RelayProcess } from './processes.js';

beforeAll(ensureBuilt, 120_000);

let relay: RelayProcess | undefined;
let agentCli: RunningCli | undefined;

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && agentCli) console.error(agentCli.stderr());
  await stopProcess(agentCli);
  await relay?.stop();
  relay = agentCli = undefined;
});

const jsonLines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('fault: agent lost mid-session', { timeout: 90_000 }, () => {
  it('agent killed during a session: the technician reads agent-lost and exits 9, the central audit and the report name it, the restarted agent ends the session in its own log', async () => {
    const dir = tmp('agent-lost');
    const relayData = join(dir, 'relay');
    const port = await freePort();
    const key = await approvalsKey(dir);
    const token = await addTechnician(relayData, 'alice', true);
    const enrollmentToken = await enrollDevice(relayData, 'srv-l1');
    relay = await startRelayProcess(relayData, port, key.publicKey);
    const agentData = join(dir, 'agent');
    const setup = {
      deviceId: 'srv-l1',
      enrollmentToken,
      dataDir: agentData,
      policy: { relayUrl: relay.url, relayPublicKey: relay.publicKey, approvalsPublicKey: key.publicKey, unattendedAllowed: true, unattendedGroups: ['helpdesk'] },
    };
    agentCli = await startHeadlessAgent(dir, setup);
    await agentCli.waitForStderr(/status: connected/);

    const token1 = await approval(key, { device: 'srv-l1', technician: 'alice', ticket: 'INC-L1', scopes: 'view' });
    const approvalFile = join(dir, 'approval.json');
    writeFileSync(approvalFile, JSON.stringify(token1));
    const request = startCli(['request', '--relay', relay.url, '--token', token, '--device', 'srv-l1', '--ticket', 'INC-L1', '--reason', 'Patch the print server', '--scopes', 'view', '--unattended', '--approval', approvalFile, '--json']);
    await request.waitForOutput('"session.started"');
    const sessionId = /"sessionId":"(ses-[^"]+)"/.exec(request.stdout())![1]!;
    await agentCli.waitForStderr(`session: ${sessionId} unattended`);

    await stopProcess(agentCli, 'SIGKILL');
    agentCli = undefined;
    const r = await request.done;
    expect(r.code).toBe(9);
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ type: 'session.end', sessionId, by: 'agent-lost', reason: 'the device disconnected during the session' });

    const central = jsonLines((await runCli(['relay', 'audit', '--ticket', 'INC-L1', '--format', 'jsonl', '--data', relayData])).stdout);
    expect(central.find((x) => x.kind === 'session-end')).toMatchObject({ sessionId, data: { by: 'agent-lost', reason: 'the device disconnected during the session' } });
    await relay.stop();
    relay = undefined;
    const month = new Date().toISOString().slice(0, 7);
    const report = await runCli(['report', '--data', relayData, '--month', month, '--format', 'json']);
    expect(report.code).toBe(0);
    expect((JSON.parse(report.stdout) as { failureCauses: unknown }).failureCauses).toMatchObject({ sessionEnds: [{ by: 'agent-lost', count: 1 }] });

    // A crash mid-write also leaves a torn last line: the restarted agent drops it and records its sha256.
    const auditDir = join(agentData, 'audit');
    const torn = '{"seq":999,"ts":"2026-';
    appendFileSync(join(auditDir, listAuditFiles(auditDir).at(-1)!), torn);
    // The relay is down: what the restart records, it records before any connection.
    agentCli = await startHeadlessAgent(dir, { ...setup, policy: { ...setup.policy, relayUrl: `ws://127.0.0.1:${port}` } });
    await agentCli.waitForStderr(/status: (connecting|disconnected)/);
    const records = recordsForTicket(auditDir, 'INC-L1');
    expect(records.map((x) => x.type)).toEqual(['request.received', 'consent.decision', 'consent.confirmed', 'session.started', 'session.ended']);
    expect(records.find((x) => x.type === 'session.ended')).toMatchObject({ sessionId, by: 'agent-restart', clean: false });
    expect(records.find((x) => x.type === 'consent.decision')).toMatchObject({
      decidedBy: 'approval',
      authority: {
        kind: 'approval',
        approver: 'Maria Manager',
        reference: 'CHG-42',
        approvalExpiresAt: token1.payload.expiresAt,
        approvalTokenSha256: sha256Hex(canonicalize(token1)),
      },
    });
    const recovered = [...readAuditLines(auditDir)].map((l) => JSON.parse(l.text) as Record<string, unknown>).find((x) => x.type === 'audit.recovered');
    expect(recovered).toMatchObject({ droppedBytes: torn.length, droppedSha256: createHash('sha256').update(torn).digest('hex') });

    // A second restart adds nothing: the session is ended in the log now.
    await stopProcess(agentCli, 'SIGTERM');
    agentCli = await startHeadlessAgent(dir, setup);
    await agentCli.waitForStderr(/status: (connecting|disconnected)/);
    expect(recordsForTicket(auditDir, 'INC-L1').filter((x) => x.type === 'session.ended')).toHaveLength(1);
    await stopProcess(agentCli, 'SIGTERM');
    expect((await runCli(['audit', 'verify', auditDir])).code).toBe(0);
  });
});
