import { afterEach, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, signApprovalToken, type ApprovalPayload, type SessionRequestPayload } from '../../src/protocol/index.js';
import { approvalPayload, approvalsKey } from '../fixtures/sample-messages.js';
import { freshNonce, startHarness, type Harness } from './agent-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

async function decisionFor(req: SessionRequestPayload) {
  const d = await h.relay.waitFor('session.decision', (m) => m.requestId === req.requestId);
  await h.agent.idle();
  return d;
}

function unattended(approval: SessionRequestPayload['approval'], overrides: Partial<SessionRequestPayload> = {}): SessionRequestPayload {
  return h.request({ mode: 'unattended', technician: { id: 'alice', name: 'Alice Moreau', group: 'servers' }, ...(approval ? { approval } : {}), ...overrides });
}

function token(overrides: Partial<ApprovalPayload> = {}, key = approvalsKey) {
  const now = new Date(h.clock.now());
  return { kind: 'manager' as const, token: signApprovalToken(approvalPayload({ nonce: freshNonce(), issuedAt: now.toISOString(), expiresAt: new Date(now.getTime() + 3600_000).toISOString(), ...overrides }), key) };
}

const UNATTENDED = { unattendedAllowed: true, unattendedGroups: ['servers'] };

describe('request verification (before anything reaches the user)', () => {
  it('blocks a request not signed by the pinned relay key', async () => {
    h = await startHarness();
    const req = h.request();
    h.relay.sendRequest(req, generateEd25519KeyPair());
    expect(await decisionFor(req)).toMatchObject({ outcome: 'blocked', decidedBy: 'verification', code: 'bad-signature', granted: [] });
    expect(h.ui.prompts).toHaveLength(0);
    expect(h.ui.notifications.map((n) => n.kind)).toContain('policy-block');
  });

  it('blocks a replayed request, also after a restart', async () => {
    h = await startHarness();
    const req = h.request();
    const signed = h.relay.sendRequest(req);
    h.ui.answer((await h.ui.nextPrompt()).promptId, []);
    await decisionFor(req);
    h.relay.send(signed);
    await h.relay.waitFor('session.decision', (d) => d.requestId === req.requestId && d.outcome === 'blocked');
    expect(h.relay.ofType('session.decision').at(-1)).toMatchObject({ code: 'replayed' });
    await h.restart();
    h.relay.send(signed);
    await h.relay.waitFor('session.decision', (d) => d.requestId === req.requestId && d.code === 'replayed' && h.relay.ofType('session.decision').filter((x) => x.code === 'replayed').length === 2);
    expect(h.ui.prompts).toHaveLength(1);
  });

  it('answers an expired request with outcome expired', async () => {
    h = await startHarness();
    const req = h.request({ issuedAt: new Date(h.clock.now() - 180_000).toISOString(), expiresAt: new Date(h.clock.now() - 1).toISOString() });
    h.relay.sendRequest(req);
    expect(await decisionFor(req)).toMatchObject({ outcome: 'expired', code: 'expired' });
    expect(h.ui.prompts).toHaveLength(0);
  });

  it('blocks a request issued more than 5 minutes in the future', async () => {
    h = await startHarness();
    const req = h.request({ issuedAt: new Date(h.clock.now() + 6 * 60_000).toISOString(), expiresAt: new Date(h.clock.now() + 8 * 60_000).toISOString() });
    h.relay.sendRequest(req);
    expect(await decisionFor(req)).toMatchObject({ outcome: 'blocked', code: 'not-yet-valid' });
  });

  it('blocks a request bound to another device', async () => {
    h = await startHarness();
    const req = h.request({ deviceId: 'dev-other' });
    h.relay.sendRequest(req);
    expect(await decisionFor(req)).toMatchObject({ outcome: 'blocked', code: 'wrong-device' });
  });

  it('shows no field of a request that failed its signature, device or replay check', async () => {
    h = await startHarness();
    // What a rogue relay would like on the desktop as a "system notice".
    const forged = { ticket: { id: 'CALL-HELPDESK-555-0100' }, technician: { id: 'call-555-0100', name: 'Call 555 0100 now', group: 'helpdesk' } };
    const badSig = h.request(forged);
    h.relay.sendRequest(badSig, generateEd25519KeyPair());
    expect(await decisionFor(badSig)).toMatchObject({ code: 'bad-signature' });
    const otherDevice = h.request({ ...forged, technician: { ...forged.technician, id: 'call-2' }, deviceId: 'dev-other' });
    h.relay.sendRequest(otherDevice);
    expect(await decisionFor(otherDevice)).toMatchObject({ code: 'wrong-device' });
    const replayed = h.request({ ...forged, technician: { ...forged.technician, id: 'call-3' }, ticket: { id: 'INC-OK' } });
    const signed = h.relay.sendRequest(replayed);
    h.ui.answer((await h.ui.nextPrompt()).promptId, []);
    await decisionFor(replayed);
    h.relay.send({ ...signed, payload: { ...signed.payload } });
    await h.relay.waitFor('session.decision', (d) => d.requestId === replayed.requestId && d.code === 'replayed');
    await h.agent.idle();
    const notices = h.ui.notifications.filter((n) => n.kind === 'policy-block');
    expect(notices).toHaveLength(3);
    for (const n of notices) expect(n).toEqual({ kind: 'policy-block', title: 'Remote support request blocked', body: 'A request that failed verification was blocked.' });
  });

  it('names the ticket of a signed request that policy blocks', async () => {
    h = await startHarness({ policy: { technicianGroups: { servers: ['view'] } } });
    const req = h.request({ ticket: { id: 'INC-77' } });
    h.relay.sendRequest(req);
    await decisionFor(req);
    expect(h.ui.notifications.at(-1)?.body).toBe('A request for ticket INC-77 was refused: technician group helpdesk may not connect to this device.');
  });

  it('blocks a technician group that policy does not list', async () => {
    h = await startHarness({ policy: { technicianGroups: { servers: ['view'] } } });
    const req = h.request();
    h.relay.sendRequest(req);
    expect(await decisionFor(req)).toMatchObject({ outcome: 'blocked', decidedBy: 'policy', code: 'policy-blocked' });
  });

  it('limits a group to its scopes', async () => {
    h = await startHarness({ policy: { technicianGroups: { helpdesk: ['view'] } } });
    h.relay.sendRequest(h.request({ scopes: ['view', 'admin'] }));
    const view = await h.ui.nextPrompt();
    expect(view.scopes).toEqual(['view']);
    expect(view.blockedScopes).toEqual(['admin']);
  });
});

describe('unattended requests', () => {
  it('blocks unattended access when policy does not allow it', async () => {
    h = await startHarness();
    const req = unattended(token());
    h.relay.sendRequest(req);
    expect(await decisionFor(req)).toMatchObject({ outcome: 'blocked', decidedBy: 'policy', code: 'policy-blocked' });
  });

  it('starts with a valid approval token, without a prompt where the screen is locked, and tells the user', async () => {
    h = await startHarness({ policy: UNATTENDED, screenLock: { screenLocked: () => true } });
    const req = unattended(token());
    h.relay.sendRequest(req);
    expect(await decisionFor(req)).toMatchObject({ outcome: 'accepted', decidedBy: 'approval', granted: ['view', 'control'] });
    await h.relay.waitFor('session.started');
    expect(h.ui.prompts).toHaveLength(0);
    expect(h.ui.banners.at(-1)?.mode).toMatchObject({ kind: 'unattended', approver: 'Bob Manager' });
    expect(h.ui.notifications.map((n) => n.kind)).toContain('unattended-start');
  });

  it('blocks an approval token forged with the relay key', async () => {
    h = await startHarness({ policy: UNATTENDED });
    const req = unattended(token({}, h.relay.relayKey));
    h.relay.sendRequest(req);
    expect(await decisionFor(req)).toMatchObject({ outcome: 'blocked', code: 'bad-approval', granted: [] });
    expect(h.relay.ofType('session.started')).toHaveLength(0);
  });

  it.each([
    ['another device', { deviceId: 'dev-other' }],
    ['another technician', { technicianId: 'mallory' }],
    ['another ticket', { ticketId: 'INC999' }],
    ['fewer scopes', { scopes: ['view'] as ['view'] }],
  ])('blocks an approval token for %s', async (_what, overrides) => {
    h = await startHarness({ policy: UNATTENDED });
    const req = unattended(token(overrides));
    h.relay.sendRequest(req);
    expect(await decisionFor(req)).toMatchObject({ outcome: 'blocked', code: 'bad-approval' });
  });

  it('blocks an expired approval token', async () => {
    h = await startHarness({ policy: UNATTENDED });
    const req = unattended(token({ issuedAt: new Date(h.clock.now() - 7200_000).toISOString(), expiresAt: new Date(h.clock.now() - 1000).toISOString() }));
    h.relay.sendRequest(req);
    expect(await decisionFor(req)).toMatchObject({ outcome: 'blocked', code: 'bad-approval' });
  });

  it('blocks a group not allowed unattended, and a missing approval', async () => {
    h = await startHarness({ policy: UNATTENDED });
    const wrongGroup = unattended(token(), { technician: { id: 'alice', name: 'Alice', group: 'helpdesk' } });
    h.relay.sendRequest(wrongGroup);
    expect(await decisionFor(wrongGroup)).toMatchObject({ outcome: 'blocked', code: 'policy-blocked' });
    const none = unattended(undefined);
    h.relay.sendRequest(none);
    expect(await decisionFor(none)).toMatchObject({ outcome: 'blocked', code: 'bad-approval' });
  });

  it('accepts an emergency only when policy allows emergencies', async () => {
    h = await startHarness({ policy: UNATTENDED });
    const emergency = { kind: 'emergency' as const, justification: 'Ransomware alert on this host.', incident: 'SEC-42' };
    const refused = unattended(emergency);
    h.relay.sendRequest(refused);
    expect(await decisionFor(refused)).toMatchObject({ outcome: 'blocked', code: 'bad-approval' });
    await h.stop();
    h = await startHarness({ policy: { ...UNATTENDED, emergencyAllowed: true } });
    const ok = unattended(emergency);
    h.relay.sendRequest(ok);
    expect(await decisionFor(ok)).toMatchObject({ outcome: 'accepted', decidedBy: 'emergency' });
  });
});

describe('headless presence', () => {
  it('declines attended requests with no-user-present and runs approved unattended ones', async () => {
    h = await startHarness({ presence: 'headless', policy: UNATTENDED });
    const attended = h.request();
    h.relay.sendRequest(attended);
    expect(await decisionFor(attended)).toMatchObject({ outcome: 'no-user-present', decidedBy: 'no-user', granted: [] });
    const approved = unattended(token());
    h.relay.sendRequest(approved);
    expect(await decisionFor(approved)).toMatchObject({ outcome: 'accepted', decidedBy: 'approval' });
    expect(h.ui.prompts).toHaveLength(0);
    // Nobody can type a confirmation code either: escalations decline unasked, whatever the shell's escalation mode.
    const started = await h.relay.waitFor('session.started', (m) => m.requestId === approved.requestId);
    const esc = h.escalation(started.sessionId, { technician: { id: 'alice', name: 'Alice Moreau', group: 'servers' }, scopes: ['file-transfer'] });
    h.relay.sendScopeRequest(esc);
    expect(await h.relay.waitFor('session.scope-update', (m) => m.requestId === esc.requestId)).toMatchObject({ change: 'escalation-declined' });
    expect(h.ui.prompts).toHaveLength(0);
  });
});
