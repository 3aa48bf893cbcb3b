// Attack suite, agent side: a hostile or compromised relay talks to the real
// agent (createAgent) over a real socket (the relay stand-in). Each test names
// the attack and fails if the defence it relies on is removed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ERROR_CODES, MAX_APPROVAL_LIFETIME_MS, generateEd25519KeyPair, keyFingerprint, MAX_FRAME_BYTES, newMessageId, signApprovalToken, type ApprovalPayload, type Scope, type SessionRequestPayload } from '../../src/protocol/index.js';
import { BLOCK_NOTICE_WINDOW_MS, BLOCK_NOTICES_PER_WINDOW } from '../../src/core/consent/block-notices.js';
import { approvalPayload, approvalsKey } from '../fixtures/sample-messages.js';
import { freshNonce, startHarness, type Harness, type HarnessOptions } from '../core/agent-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start(o: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness(o);
  return h;
}

async function decisionFor(x: Harness, req: SessionRequestPayload) {
  const d = await x.relay.waitFor('session.decision', (m) => m.requestId === req.requestId);
  await x.agent.idle();
  return d;
}

async function liveSession(x: Harness, scopes: Scope[]): Promise<string> {
  const req = x.request({ scopes });
  x.relay.sendRequest(req);
  x.ui.answer((await x.ui.nextPrompt()).promptId, scopes);
  const started = await x.relay.waitFor('session.started', (m) => m.requestId === req.requestId);
  await x.agent.idle();
  return started.sessionId;
}

const tech = (id: string, group = 'helpdesk') => ({ id, name: `Tech ${id}`, group });

describe('attack: rogue relay with a wrong key', () => {
  it('rogue relay with a wrong key: its requests are blocked before the user sees anything', async () => {
    const pinned = generateEd25519KeyPair();
    // The agent pins the real relay key; the relay it reached signs with its own and claims the pinned
    // one in its challenge (an honest rogue is refused at the challenge: test/core/connection.test.ts).
    const x = await start({ policy: { relayPublicKey: pinned.publicKey }, relayOptions: { claimRelayKeyFingerprint: keyFingerprint(pinned.publicKey) } });
    const req = x.request();
    x.relay.sendRequest(req);
    expect(await decisionFor(x, req)).toMatchObject({ outcome: 'blocked', decidedBy: 'verification', code: 'bad-signature', granted: [] });
    // Also an escalation for a made-up session: refused, never prompted.
    x.relay.sendScopeRequest(x.escalation('ses-rogue', { scopes: ['admin'] }));
    expect(await x.relay.waitFor('error', (e) => e.code === 'bad-signature')).toBeTruthy();
    expect(x.ui.prompts).toHaveLength(0);
    expect(x.agent.grants()).toEqual([]);
  });

  it('prompt bombing with invalid requests: notifications are coalesced', async () => {
    const x = await start();
    const rogue = generateEd25519KeyPair();
    const bomb = async (reqs: SessionRequestPayload[]) => {
      for (const req of reqs) x.relay.sendRequest(req, rogue);
      for (const req of reqs) expect(await decisionFor(x, req)).toMatchObject({ outcome: 'blocked', code: 'bad-signature' });
    };
    // Signed with a key the agent does not trust: first 10 from one technician (one notice),
    await bomb(Array.from({ length: 10 }, () => x.request({ technician: tech('alice') })));
    expect(x.ui.notifications).toHaveLength(1);
    // then 20 from made-up ones: the overall cap holds.
    await bomb(Array.from({ length: 20 }, (_, i) => x.request({ technician: tech(`mallory-${i}`) })));
    expect(x.ui.notifications).toHaveLength(BLOCK_NOTICES_PER_WINDOW);
    x.clock.advance(BLOCK_NOTICE_WINDOW_MS);
    expect(x.ui.notifications).toHaveLength(BLOCK_NOTICES_PER_WINDOW + 1);
    expect(x.ui.notifications.at(-1)).toMatchObject({ kind: 'policy-block', body: `${30 - BLOCK_NOTICES_PER_WINDOW} more requests were blocked.` });
    // Nothing further is pending: the summary is said once.
    x.clock.advance(10 * BLOCK_NOTICE_WINDOW_MS);
    expect(x.ui.notifications).toHaveLength(BLOCK_NOTICES_PER_WINDOW + 1);
    expect(x.ui.prompts).toHaveLength(0);
  });
});

describe('attack: compromised relay forging unattended access', () => {
  const UNATTENDED = { unattendedAllowed: true, unattendedGroups: ['servers'] };
  const token = (x: Harness, key = approvalsKey, over: Partial<ApprovalPayload> = {}) => {
    const now = x.clock.now();
    // Everything but the named flaw is right: device, technician, ticket and scopes match the request.
    return { kind: 'manager' as const, token: signApprovalToken(approvalPayload({ scopes: ['view', 'admin'], nonce: freshNonce(), issuedAt: new Date(now).toISOString(), expiresAt: new Date(now + 3600_000).toISOString(), ...over }), key) };
  };

  it('compromised relay forging an unattended request without a valid approval is blocked', async () => {
    // Nobody at the screen (locked), so a genuine approval applies without a prompt.
    const x = await start({ policy: UNATTENDED, screenLock: { screenLocked: () => true } });
    // The relay key is valid (the relay is compromised), the approval is not.
    const forged: [string, SessionRequestPayload['approval'] | undefined][] = [
      ['no approval at all', undefined],
      ['approval signed with the relay key', token(x, x.relay.relayKey)],
      ['approval signed with a made-up key', token(x, generateEd25519KeyPair())],
      ['real approval for another device', token(x, approvalsKey, { deviceId: 'dev-other' })],
      ['real approval that does not cover admin', token(x, approvalsKey, { scopes: ['view'] })],
      ['real approval valid for longer than the maximum lifetime', token(x, approvalsKey, { expiresAt: new Date(x.clock.now() + MAX_APPROVAL_LIFETIME_MS + 60_000).toISOString() })],
      ['emergency where policy allows none', { kind: 'emergency', justification: 'trust me', incident: 'IR-1' }],
    ];
    // Control: the same request with a genuine approval would pass (so each refusal above is for its flaw).
    const genuine = token(x);
    const control = x.request({ mode: 'unattended', technician: tech('alice', 'servers'), scopes: ['view', 'admin'], approval: genuine });
    x.relay.sendRequest(control);
    expect(await decisionFor(x, control)).toMatchObject({ outcome: 'accepted', decidedBy: 'approval' });
    x.relay.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId: (await x.relay.waitFor('session.started')).sessionId, by: 'technician' });
    await x.relay.waitFor('session.summary');
    await x.agent.idle();
    for (const [what, approval] of forged) {
      const req = x.request({ mode: 'unattended', technician: tech('alice', 'servers'), scopes: ['view', 'admin'], ...(approval ? { approval } : {}) });
      x.relay.sendRequest(req);
      const d = await decisionFor(x, req);
      expect({ what, outcome: d.outcome, granted: d.granted, code: d.code }).toEqual({ what, outcome: 'blocked', granted: [], code: 'bad-approval' });
    }
    // The genuine single-use approval again, in a freshly signed request: the device counted its one use.
    const reused = x.request({ mode: 'unattended', technician: tech('alice', 'servers'), scopes: ['view', 'admin'], approval: genuine });
    x.relay.sendRequest(reused);
    expect(await decisionFor(x, reused)).toMatchObject({ outcome: 'blocked', granted: [], code: 'approval-used-up' });
    expect(x.relay.ofType('session.started')).toHaveLength(1);
    expect(x.ui.prompts).toHaveLength(0);
    expect(x.agent.grants()).toEqual([]);
  });
});

describe('attack: replayed and stale requests', () => {
  it('replayed request is blocked, also after an agent restart', async () => {
    const x = await start();
    const req = x.request();
    const signed = x.relay.sendRequest(req);
    x.ui.answer((await x.ui.nextPrompt()).promptId, 'dismiss');
    await decisionFor(x, req);
    x.relay.send({ ...signed, id: newMessageId() });
    await x.relay.waitFor('session.decision', (d) => d.requestId === req.requestId && d.code === 'replayed');
    await x.restart();
    x.relay.send({ ...signed, id: newMessageId() });
    await vi.waitFor(() => expect(x.relay.ofType('session.decision').filter((d) => d.code === 'replayed')).toHaveLength(2));
    expect(x.ui.prompts).toHaveLength(1);
  });

  it('expired request is declined as expired without a prompt', async () => {
    const x = await start();
    const req = x.request({ issuedAt: new Date(x.clock.now() - 180_000).toISOString(), expiresAt: new Date(x.clock.now() - 1).toISOString() });
    x.relay.sendRequest(req);
    expect(await decisionFor(x, req)).toMatchObject({ outcome: 'expired', code: 'expired', granted: [] });
    expect(x.ui.prompts).toHaveLength(0);
  });

  it('far-future request is blocked as not yet valid without a prompt', async () => {
    const x = await start();
    const req = x.request({ issuedAt: new Date(x.clock.now() + 6 * 60_000).toISOString(), expiresAt: new Date(x.clock.now() + 8 * 60_000).toISOString() });
    x.relay.sendRequest(req);
    expect(await decisionFor(x, req)).toMatchObject({ outcome: 'blocked', code: 'not-yet-valid', granted: [] });
    // A validity window longer than the protocol allows is refused too.
    const long = x.request({ expiresAt: new Date(x.clock.now() + 24 * 3600_000).toISOString() });
    x.relay.sendRequest(long);
    expect(await decisionFor(x, long)).toMatchObject({ code: 'expired', granted: [] });
    expect(x.ui.prompts).toHaveLength(0);
  });
});

describe('attack: prompt bombing', () => {
  it('prompt bombing: 100 requests in one second give one prompt at a time, rate limit, then auto-decline', async () => {
    const x = await start({ policy: { queueSize: 5, rateLimit: { prompts: 3, windowMinutes: 10, autoDeclineAfterDeclines: 3 } } });
    const bomb: SessionRequestPayload[] = [];
    for (let i = 0; i < 100; i++) {
      const req = x.request({ technician: tech('mallory') });
      bomb.push(req);
      x.relay.sendRequest(req);
      x.clock.advance(10);
    }
    await vi.waitFor(() => expect(x.relay.ofType('session.decision')).toHaveLength(97), { timeout: 10_000 });
    expect(x.relay.ofType('session.decision').every((d) => d.outcome === 'declined' && d.decidedBy === 'rate-limit' && d.code === 'rate-limited' && d.granted.length === 0)).toBe(true);
    expect(x.ui.openPrompts).toBe(1);
    // The user dismisses the three that got through, one at a time.
    for (let i = 0; i < 3; i++) {
      const v = await x.ui.nextPrompt();
      x.ui.answer(v.promptId, []);
      await x.relay.waitFor('session.decision', (d) => d.requestId === v.promptId);
    }
    expect(x.ui.prompts).toHaveLength(3);
    expect(x.ui.maxOpen).toBe(1);
    // After three declines the technician is auto-declined, even once the prompt budget refills.
    x.clock.advance(5 * 60_000);
    const again = x.request({ technician: tech('mallory') });
    x.relay.sendRequest(again);
    const d = await decisionFor(x, again);
    expect(d).toMatchObject({ outcome: 'declined', decidedBy: 'rate-limit' });
    expect(d.detail).toMatch(/declined/);
    // Another technician still reaches the user.
    const other = x.request({ technician: tech('bob') });
    x.relay.sendRequest(other);
    expect((await x.ui.nextPrompt()).promptId).toBe(other.requestId);
    expect(x.agent.grants()).toEqual([]);
  });
});

describe('attack: scope escalation without consent', () => {
  it('scope escalation without consent grants nothing: unsigned, for another session, by another technician, or beyond what the user ticked', async () => {
    const x = await start();
    const sessionId = await liveSession(x, ['view']);
    // Signed by someone else: refused without a prompt.
    x.relay.sendScopeRequest(x.escalation(sessionId, { scopes: ['admin'] }), generateEd25519KeyPair());
    expect(await x.relay.waitFor('session.scope-update', (u) => u.change === 'escalation-declined')).toMatchObject({ granted: ['view'] });
    // Another technician asking on this session: refused.
    x.relay.sendScopeRequest(x.escalation(sessionId, { scopes: ['admin'], technician: tech('mallory') }));
    await vi.waitFor(() => expect(x.relay.ofType('session.scope-update').filter((u) => u.change === 'escalation-declined')).toHaveLength(2));
    expect(x.ui.prompts.filter((p) => p.kind === 'escalation')).toHaveLength(0);
    // A genuine request: nothing changes while the prompt is open, and a UI answer
    // naming more than was asked grants only what was asked and ticked.
    const esc = x.escalation(sessionId, { scopes: ['control'] });
    x.relay.sendScopeRequest(esc);
    const view = await vi.waitFor(() => x.ui.prompts.find((p) => p.kind === 'escalation') ?? Promise.reject(new Error('no prompt')));
    expect(x.agent.grants()).toEqual(['view']);
    x.ui.answer(view.promptId, ['control', 'admin', 'file-transfer']);
    expect(await x.relay.waitFor('session.scope-update', (u) => u.requestId === esc.requestId)).toMatchObject({ change: 'escalation-accepted', granted: ['view', 'control'] });
    await x.agent.idle();
    expect(x.agent.grants()).toEqual(['view', 'control']);
    // A relay cannot hand the agent a grant by sending it a scope update or a decision.
    x.relay.send({ v: 1, type: 'session.scope-update', id: 'forged-1', sessionId, change: 'escalation-accepted', scopes: ['admin'], granted: ['view', 'control', 'admin'], endsAt: new Date(x.clock.now() + 3600_000).toISOString() });
    expect(await x.relay.waitFor('error', (e) => e.re === 'forged-1')).toMatchObject({ code: 'unexpected-type' });
    expect(x.agent.grants()).toEqual(['view', 'control']);
  });
});

describe('attack: using a grant after the session ended', () => {
  it('using a grant after the session ended: narration, file transfer and escalation are refused, grants are empty', async () => {
    const x = await start();
    const sessionId = await liveSession(x, ['view', 'file-transfer']);
    x.relay.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'technician' });
    await x.relay.waitFor('session.summary');
    await x.agent.idle();
    expect(x.agent.grants()).toEqual([]);
    x.relay.send({ v: 1, type: 'session.file-transfer', id: 'late-file', sessionId, transferId: 'tr-late', name: 'notes.txt', size: 10, sha256: 'b'.repeat(64), direction: 'from-device', ticketId: 'INC0012345' });
    expect(await x.relay.waitFor('session.file-transfer-result', (r) => r.transferId === 'tr-late')).toMatchObject({ allowed: false, code: 'unknown-session' });
    x.relay.send({ v: 1, type: 'session.narration', id: 'late-narration', sessionId, text: 'still here' });
    expect(await x.relay.waitFor('error', (e) => e.re === 'late-narration')).toMatchObject({ code: 'unknown-session' });
    x.relay.sendScopeRequest(x.escalation(sessionId, { scopes: ['control'] }));
    expect(await x.relay.waitFor('error', (e) => e.code === 'unknown-session' && e.re !== 'late-narration')).toBeTruthy();
    expect(x.ui.prompts.filter((p) => p.kind === 'escalation')).toHaveLength(0);
    expect(x.ui.banners.at(-1)?.latestNarration).toBeUndefined();
  });

  it('using a grant after the granted time is over: the session ends by itself and the grant is gone', async () => {
    const x = await start();
    const sessionId = await liveSession(x, ['file-transfer']);
    x.clock.advance(20 * 60_000 + 1);
    await x.relay.waitFor('session.end', (e) => e.sessionId === sessionId && e.by === 'expiry');
    await x.agent.idle();
    expect(x.agent.grants()).toEqual([]);
    x.relay.send({ v: 1, type: 'session.file-transfer', id: newMessageId(), sessionId, transferId: 'tr-exp', name: 'notes.txt', size: 10, sha256: 'c'.repeat(64), direction: 'to-device', ticketId: 'INC0012345' });
    expect(await x.relay.waitFor('session.file-transfer-result', (r) => r.transferId === 'tr-exp')).toMatchObject({ allowed: false, code: 'unknown-session' });
  });
});

describe('attack: oversize and malformed frames to the agent', () => {
  it('malformed frames to the agent get typed errors and the connection survives', async () => {
    const x = await start();
    const bad = ['{not json', '[]', 'null', '"text"', JSON.stringify({ v: 1, type: 'session.request', id: 'm-1' }), JSON.stringify({ v: 1, type: 'nope', id: 'm-2' }), JSON.stringify({ v: 99, type: 'session.end', id: 'm-3', sessionId: 's', by: 'user' }), JSON.stringify({ v: 1, type: 'session.end', id: 'm-4', sessionId: 's', by: 'user', extra: 1 }), JSON.stringify({ ['__proto__']: { admin: true }, v: 1, type: 'session.cancel', id: 'm-5' })];
    for (const frame of bad) x.relay.sendRaw(frame);
    await vi.waitFor(() => expect(x.relay.ofType('error').length).toBe(bad.length));
    // Every reply is a typed error with a stable protocol code, naming the offending frame when it could be read.
    for (const e of x.relay.ofType('error')) expect(ERROR_CODES).toContain(e.code);
    expect(x.relay.ofType('error').map((e) => e.re).filter(Boolean)).toEqual(expect.arrayContaining(['m-2', 'm-3', 'm-4']));
    expect(x.agent.status().connection).toBe('connected');
    // Still works afterwards.
    const req = x.request();
    x.relay.sendRequest(req);
    expect((await x.ui.nextPrompt()).promptId).toBe(req.requestId);
  });

  it('oversize frame to the agent: the agent drops that relay connection', async () => {
    const x = await start();
    x.relay.sendRaw(JSON.stringify({ v: 1, type: 'session.narration', id: 'big', sessionId: 's', text: 'x'.repeat(MAX_FRAME_BYTES) }));
    await x.relay.whenAgentGone();
    expect(x.relay.ofType('session.decision')).toHaveLength(0);
  });
});
