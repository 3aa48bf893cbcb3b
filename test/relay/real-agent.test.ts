// The real agent core (createAgent) against the real relay: enrollment, an
// attended request answered through a UI port, a headless agent declining
// attended requests (no user present), and unattended access with an approval.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent, type Agent } from '../../src/core/agent.js';
import { DEFAULT_POLICY, type Policy } from '../../src/core/policy/schema.js';
import type { UiPort } from '../../src/core/ui-port.js';
import { generateEd25519KeyPair, newMessageId, signApprovalToken, type Message } from '../../src/protocol/index.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { waitUntilOnline } from '../support/wait-until-online.js';

const approvalsKey = generateEd25519KeyPair();
let t: TestRelay;
let agent: Agent | undefined;
let tech: TechnicianClient | undefined;

afterEach(async () => {
  await tech?.close();
  await agent?.stop();
  await t.close();
});

/** A UI port whose user grants `grant` of whatever is asked. */
function uiGranting(grant: readonly string[]): UiPort & { codes: string[] } {
  const codes: string[] = [];
  return {
    codes,
    setStatus: () => undefined,
    async showConsent(view) {
      codes.push(view.verificationCode);
      return { kind: 'decision', promptId: view.promptId, granted: view.scopes.filter((s) => grant.includes(s)) };
    },
    showBanner: () => undefined,
    hideBanner: () => undefined,
    showSummary: () => undefined,
    notify: () => undefined,
  };
}

async function startAgent(presence: 'interactive' | 'headless', ui: UiPort, policy: Partial<Policy> = {}): Promise<void> {
  const deviceId = 'dev-real';
  agent = createAgent({
    deviceId,
    presence,
    ui,
    dataDir: mkdtempSync(join(tmpdir(), 'pl-real-agent-')),
    enrollmentToken: await t.enroll(deviceId),
    policy: { ...DEFAULT_POLICY, relayUrl: t.relay.url, relayPublicKey: t.relayKey.publicKey, approvalsPublicKey: approvalsKey.publicKey, ...policy },
  });
  await agent.start();
  await waitUntilOnline(t.relay, deviceId);
}

async function technician(unattended = false): Promise<TechnicianClient> {
  const r = await connectTechnician(t.relay.url, await t.addTechnician('alice', { unattended }));
  if (!r.ok) throw new Error(r.detail);
  tech = r.client;
  return r.client;
}

const ask = (over: Partial<Message<'tech.request'>> = {}): Message<'tech.request'> => ({
  v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-real', ticket: { id: 'INC-REAL' }, reason: 'Outlook crashes', scopes: ['view', 'control'], mode: 'attended', estimatedMinutes: 10, ...over,
});

describe('relay with the real agent core', () => {
  it('enrolls, shows the same verification code to the user, and runs a partially accepted session to its summary', async () => {
    t = await startTestRelay();
    const ui = uiGranting(['view']);
    await startAgent('interactive', ui);
    const c = await technician();
    const pending = c.waitFor((m) => (m.type === 'session.pending' ? m : undefined));
    const started = c.waitFor((m) => (m.type === 'session.started' ? m : undefined));
    const decision = c.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    c.send(ask());
    expect(await decision).toMatchObject({ outcome: 'partial', granted: ['view'], declined: ['control'] });
    expect(ui.codes).toEqual([(await pending)!.verificationCode]);
    const { sessionId } = (await started)!;
    const summary = c.waitFor((m) => (m.type === 'session.summary' ? m : undefined));
    c.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'technician' });
    expect((await summary)!.summary).toMatchObject({ sessionId, scopesGranted: ['view'], ticket: { id: 'INC-REAL' } });
    const kinds = (await t.storage.queryAudit({ ticketId: 'INC-REAL' })).map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(['request', 'decision', 'session-started', 'session-end', 'session-summary']));
  });

  it('a headless agent declines attended requests: no user present', async () => {
    t = await startTestRelay();
    await startAgent('headless', uiGranting([]));
    const c = await technician();
    const decision = c.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    c.send(ask());
    expect(await decision).toMatchObject({ outcome: 'no-user-present', granted: [] });
  });

  it('a headless agent runs unattended access with a valid approval token', async () => {
    t = await startTestRelay({ approvalsPublicKey: approvalsKey.publicKey });
    await startAgent('headless', uiGranting([]), { unattendedAllowed: true, unattendedGroups: ['helpdesk'] });
    const c = await technician(true);
    const now = Date.now();
    const token = signApprovalToken(
      { v: 1, kind: 'approval', deviceId: 'dev-real', technicianId: 'alice', scopes: ['view', 'control'], ticketId: 'INC-REAL', reference: 'mail:1', approver: 'Maria Manager', issuedAt: new Date(now).toISOString(), expiresAt: new Date(now + 3600_000).toISOString(), nonce: 'cmVhbC1hZ2VudC1hcHByb3ZhbA' },
      approvalsKey,
    );
    const decision = c.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    c.send(ask({ mode: 'unattended', approval: { kind: 'manager', token } }));
    expect(await decision).toMatchObject({ outcome: 'accepted', granted: ['view', 'control'], decidedBy: 'approval' });
  });
});
