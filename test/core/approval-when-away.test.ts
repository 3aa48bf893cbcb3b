// Issue 20: a manager approval applies only when the user is away. The real agent core against the relay
// stand-in (which counts nothing: the relay's own use check is bypassed, so every refusal here is the agent's).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { approvalTokenSha256, signApprovalToken, type ApprovalPayload, type SessionRequestPayload } from '../../src/protocol/index.js';
import { HONOURED_APPROVALS_FILE } from '../../src/core/agent.js';
import { approvalPayload, approvalsKey } from '../fixtures/sample-messages.js';
import { freshNonce, startHarness, type Harness, type HarnessOptions } from './agent-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const UNATTENDED = { unattendedAllowed: true, unattendedGroups: ['servers'] };
const locked = { screenLocked: () => true };

async function start(o: HarnessOptions = {}) {
  h = await startHarness({ ...o, policy: { ...UNATTENDED, ...o.policy } });
}

function token(overrides: Partial<ApprovalPayload> = {}) {
  const now = new Date(h.clock.now());
  const payload = approvalPayload({ nonce: freshNonce(), issuedAt: now.toISOString(), expiresAt: new Date(now.getTime() + 3600_000).toISOString(), ...overrides });
  return { kind: 'manager' as const, token: signApprovalToken(payload, approvalsKey) };
}

function approved(approval = token()): SessionRequestPayload {
  return h.request({ mode: 'unattended', technician: { id: 'alice', name: 'Alice Moreau', group: 'servers' }, approval });
}

async function decisionFor(req: SessionRequestPayload) {
  const d = await h.relay.waitFor('session.decision', (m) => m.requestId === req.requestId);
  await h.agent.idle();
  return d;
}

/** The agent's own audit log. */
function auditRecords(): Record<string, unknown>[] {
  const dir = join(h.dataDir, 'audit');
  const lines = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'));
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

const deviceDecisions = () => auditRecords().filter((r) => r.type === 'consent.decision');

describe('a manager approval with a user at the device', () => {
  it('asks the user first, saying IT holds an approval from whom (the mode) and that it applies only without an answer', async () => {
    await start();
    const req = approved();
    h.relay.sendRequest(req);
    const view = await h.ui.nextPrompt();
    expect(view).toMatchObject({ kind: 'session', approvalIfNoAnswer: true, mode: { kind: 'unattended', approver: 'Bob Manager', reference: 'mail:2026-11-24-manager-approval' } });
    h.ui.answer(view.promptId, ['view', 'control']);
    expect(await decisionFor(req)).toMatchObject({ outcome: 'accepted', decidedBy: 'user', approvalPath: 'user-accepted', granted: ['view', 'control'] });
    expect(deviceDecisions().at(-1)).toMatchObject({ decidedBy: 'user', approvalPath: 'user-accepted', authority: { kind: 'approval', approver: 'Bob Manager', approvalUses: 1 } });
  });

  it.each([
    ['Decline', ['view', 'control'].slice(0, 0), 'user'],
    ['closing the dialog', 'dismiss', 'dialog-closed'],
  ] as const)('%s is not overridden: declined by user (approval not used)', async (_how, answer, decidedBy) => {
    await start();
    const req = approved();
    h.relay.sendRequest(req);
    h.ui.answer((await h.ui.nextPrompt()).promptId, answer as never);
    expect(await decisionFor(req)).toMatchObject({ outcome: 'declined', decidedBy, granted: [], code: 'approval-not-used', detail: 'declined by user (approval not used)', approvalPath: 'user-declined' });
    expect(h.relay.ofType('session.started')).toHaveLength(0);
    expect(deviceDecisions().at(-1)).toMatchObject({ outcome: 'declined', code: 'approval-not-used', approvalPath: 'user-declined' });
  });

  it('applies when nobody answers before the prompt times out: banner, notification, approval path no-answer', async () => {
    await start();
    const req = approved();
    h.relay.sendRequest(req);
    await h.ui.nextPrompt();
    h.clock.advance(h.policy.promptTimeoutSec * 1000);
    expect(await decisionFor(req)).toMatchObject({ outcome: 'accepted', decidedBy: 'approval', approvalPath: 'no-answer', granted: ['view', 'control'] });
    await h.relay.waitFor('session.started');
    expect(h.ui.banners.at(-1)?.mode).toMatchObject({ kind: 'unattended', approver: 'Bob Manager' });
    expect(h.ui.notifications.map((n) => n.kind)).toContain('unattended-start');
    expect(deviceDecisions().at(-1)).toMatchObject({ decidedBy: 'approval', approvalPath: 'no-answer' });
  });

  it('a prompt the technician withdraws grants nothing (interrupted)', async () => {
    await start();
    const req = approved();
    h.relay.sendRequest(req);
    await h.ui.nextPrompt();
    h.relay.send({ v: 1, type: 'session.cancel', id: 'm-cancel-1', requestId: req.requestId });
    expect(await decisionFor(req)).toMatchObject({ outcome: 'declined', decidedBy: 'cancelled', granted: [], approvalPath: 'interrupted' });
  });
});

describe('a manager approval with nobody to ask', () => {
  it('applies at once where the platform says the screen is locked (no prompt)', async () => {
    await start({ screenLock: locked });
    const req = approved();
    h.relay.sendRequest(req);
    expect(await decisionFor(req)).toMatchObject({ outcome: 'accepted', decidedBy: 'approval', approvalPath: 'screen-locked' });
    expect(h.ui.prompts).toHaveLength(0);
  });

  it('applies at once on a headless agent', async () => {
    await start({ presence: 'headless' });
    const req = approved();
    h.relay.sendRequest(req);
    expect(await decisionFor(req)).toMatchObject({ outcome: 'accepted', decidedBy: 'approval', approvalPath: 'headless' });
  });

  it('leaves emergency access as it was: no prompt, no approval path', async () => {
    await start({ policy: { emergencyAllowed: true } });
    const req = h.request({ mode: 'unattended', technician: { id: 'alice', name: 'Alice Moreau', group: 'servers' }, approval: { kind: 'emergency', justification: 'Ransomware alert.', incident: 'SEC-42' } });
    h.relay.sendRequest(req);
    const d = await decisionFor(req);
    expect(d).toMatchObject({ outcome: 'accepted', decidedBy: 'emergency' });
    expect(d.approvalPath).toBeUndefined();
    expect(h.ui.prompts).toHaveLength(0);
  });
});

describe('approve --uses N on the device (the relay stand-in counts nothing)', () => {
  it('honours an approval N times, then refuses it with approval-used-up, also after a restart', async () => {
    await start({ screenLock: locked });
    const approval = token({ uses: 2 });
    for (let i = 0; i < 2; i++) {
      const req = approved(approval);
      h.relay.sendRequest(req);
      const d = await decisionFor(req);
      expect(d).toMatchObject({ outcome: 'accepted', decidedBy: 'approval' });
      h.relay.send({ v: 1, type: 'session.end', id: `m-end-${i}`, sessionId: d.sessionId!, by: 'technician' });
      await h.relay.waitFor('session.summary', (m) => m.summary.sessionId === d.sessionId);
    }
    const third = approved(approval);
    h.relay.sendRequest(third);
    expect(await decisionFor(third)).toMatchObject({ outcome: 'blocked', decidedBy: 'verification', code: 'approval-used-up', detail: 'this device already honoured the approval 2 of 2 time(s)' });
    const file = JSON.parse(readFileSync(join(h.dataDir, HONOURED_APPROVALS_FILE), 'utf8')) as { approvals: Record<string, { used: number }> };
    expect(file.approvals[approvalTokenSha256(approval.token)]).toMatchObject({ used: 2 });
    await h.restart();
    const again = approved(approval);
    h.relay.sendRequest(again);
    expect(await decisionFor(again)).toMatchObject({ outcome: 'blocked', code: 'approval-used-up' });
  });

  it('a present user who declines takes no use: the same approval applies once they are away', async () => {
    const lock = { on: false, screenLocked() { return this.on; } };
    await start({ screenLock: lock });
    const approval = token();
    const asked = approved(approval);
    h.relay.sendRequest(asked);
    h.ui.answer((await h.ui.nextPrompt()).promptId, []);
    expect(await decisionFor(asked)).toMatchObject({ code: 'approval-not-used' });
    lock.on = true;
    const later = approved(approval);
    h.relay.sendRequest(later);
    expect(await decisionFor(later)).toMatchObject({ decidedBy: 'approval', approvalPath: 'screen-locked' });
  });

  it('a damaged record is kept beside it and every approval issued before then is refused', async () => {
    await start({ screenLock: locked });
    const old = token();
    const path = join(h.dataDir, HONOURED_APPROVALS_FILE);
    writeFileSync(path, '{"v":1,"distrustBefore":0,"approvals":{"not-a-hash":{"used":1}}}');
    h.clock.advance(1000);
    await h.restart();
    const kept = readdirSync(h.dataDir).filter((f) => f.startsWith(`${HONOURED_APPROVALS_FILE}.damaged-`));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(h.dataDir, kept[0]!), 'utf8')).toContain('not-a-hash');
    expect(auditRecords().filter((r) => r.type === 'approvals.record-damaged')).toHaveLength(1);
    const refused = approved(old);
    h.relay.sendRequest(refused);
    expect(await decisionFor(refused)).toMatchObject({ outcome: 'blocked', code: 'approval-used-up' });
    const fresh = approved(token());
    h.relay.sendRequest(fresh);
    expect(await decisionFor(fresh)).toMatchObject({ outcome: 'accepted', decidedBy: 'approval' });
  });
});
