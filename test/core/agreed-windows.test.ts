// Windows the user agrees to in advance (issue 20), through a real agent against
// the relay stand-in: the prompt, the device-signed window kept on disk, the
// request inside it that starts without a prompt, every boundary where the
// normal prompt applies, expiry, and the user's cancellation.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordsForTicket } from '../../src/core/audit/export.js';
import { AGREED_WINDOWS_FILE } from '../../src/core/consent/agreed-windows.js';
import { signScheduleRequest, verifyAgreedWindowSignature, verifyWindowRevocationSignature, type ScheduleRequestPayload } from '../../src/protocol/index.js';
import { scheduleRequestPayload } from '../fixtures/sample-messages.js';
import { freshNonce, startHarness, type Harness } from './agent-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const HOUR = 3_600_000;
let counter = 0;
const iso = (ms: number) => new Date(ms).toISOString();

/** A fresh, relay-signed proposal starting `startIn` from now, `hours` long. */
function propose(overrides: Partial<ScheduleRequestPayload> = {}, startIn = HOUR, hours = 2): ScheduleRequestPayload {
  const now = h.clock.now();
  const p = scheduleRequestPayload({
    requestId: `sch-${++counter}`,
    nonce: freshNonce(),
    issuedAt: iso(now),
    expiresAt: iso(now + 120_000),
    startsAt: iso(now + startIn),
    endsAt: iso(now + startIn + hours * HOUR),
    ...overrides,
  });
  h.relay.send(signScheduleRequest(p, h.relay.relayKey));
  return p;
}

const decisionOf = (p: { requestId: string }) => h.relay.waitFor('schedule.decision', (m) => m.requestId === p.requestId);
const sessionDecisionOf = (p: { requestId: string }) => h.relay.waitFor('session.decision', (m) => m.requestId === p.requestId);

/** The normal prompt comes up for this request (and the user declines it). */
async function prompted(req: ReturnType<Harness['request']>) {
  h.relay.sendRequest(req);
  const view = await h.ui.nextPrompt();
  expect(view).toMatchObject({ kind: 'session', promptId: req.requestId });
  h.ui.answer(view.promptId, []);
  expect(await sessionDecisionOf(req)).toMatchObject({ decidedBy: 'user', outcome: 'declined' });
}

/** Propose, agree in the dialog, and return the agreed window. */
async function agreeTo(overrides: Partial<ScheduleRequestPayload> = {}, startIn = HOUR, hours = 2) {
  const p = propose(overrides, startIn, hours);
  const view = await h.ui.nextPrompt();
  h.ui.answer(view.promptId, view.scopes);
  const d = await decisionOf(p);
  await h.agent.idle();
  return { p, view, decision: d, window: d.agreed!.window };
}

describe('agreeing to a window in advance', () => {
  it('asks Agree / Decline with the window, signs what the user agreed to with the device key, keeps and lists it', async () => {
    h = await startHarness();
    const { p, view, decision, window } = await agreeTo();
    expect(view).toMatchObject({ kind: 'schedule', window: { startsAt: p.startsAt, endsAt: p.endsAt }, scopes: ['view', 'control'], verificationCode: p.verificationCode, mode: { kind: 'attended' } });
    expect(decision).toMatchObject({ outcome: 'agreed', decidedBy: 'user', audit: { seq: expect.any(Number) } });
    expect(window).toMatchObject({ deviceId: 'dev-0001', requestId: p.requestId, nonce: p.nonce, technicianId: 'alice', ticketId: 'INC0012345', scopes: ['view', 'control'], startsAt: p.startsAt, endsAt: p.endsAt });
    expect(verifyAgreedWindowSignature(decision.agreed!, h.agent.devicePublicKey()!)).toBe(true);
    expect(h.agent.status().agreedWindows).toEqual([{ windowId: window.windowId, technicianName: 'Alice Moreau', ticketId: 'INC0012345', scopes: ['view', 'control'], startsAt: p.startsAt, endsAt: p.endsAt }]);
    const records = recordsForTicket(join(h.dataDir, 'audit'), 'INC0012345') as unknown as Record<string, unknown>[];
    expect(records.map((r) => r.type)).toEqual(['schedule.received', 'schedule.decision']);
    expect(records[1]).toMatchObject({ outcome: 'agreed', windowId: window.windowId, windowSig: decision.agreed!.sig });
    await h.restart();
    expect(h.agent.status().agreedWindows?.map((w) => w.windowId)).toEqual([window.windowId]);
  });

  it('Decline keeps nothing', async () => {
    h = await startHarness();
    const p = propose();
    h.ui.answer((await h.ui.nextPrompt()).promptId, []);
    expect(await decisionOf(p)).toMatchObject({ outcome: 'declined', decidedBy: 'user' });
    expect(h.agent.status().agreedWindows).toBeUndefined();
  });

  it('refuses a window longer than IT allows, in words, before the user sees anything', async () => {
    h = await startHarness({ policy: { maxAgreedWindowHours: 2 } });
    const p = propose({}, HOUR, 3);
    expect(await decisionOf(p)).toMatchObject({ outcome: 'blocked', decidedBy: 'policy', code: 'policy-blocked', detail: 'the window is 3 h long; IT allows at most 2 h' });
    expect(h.ui.prompts).toHaveLength(0);
  });

  it('refuses every window where IT turned them off (maxAgreedWindowHours 0)', async () => {
    h = await startHarness({ policy: { maxAgreedWindowHours: 0 } });
    const p = propose();
    expect(await decisionOf(p)).toMatchObject({ outcome: 'blocked', code: 'policy-blocked', detail: expect.stringContaining('does not allow') });
    expect(h.ui.prompts).toHaveLength(0);
  });

  it('refuses a proposal not signed by the pinned relay key', async () => {
    h = await startHarness();
    const p = scheduleRequestPayload({ requestId: 'sch-forged', nonce: freshNonce(), issuedAt: iso(h.clock.now()), expiresAt: iso(h.clock.now() + 60_000) });
    h.relay.send({ ...signScheduleRequest(p, h.relay.relayKey), sig: signScheduleRequest({ ...p, scopes: ['view'] }, h.relay.relayKey).sig });
    expect(await decisionOf(p)).toMatchObject({ outcome: 'blocked', decidedBy: 'verification', code: 'bad-signature' });
    expect(h.ui.prompts).toHaveLength(0);
  });
});

describe('inside an agreed window', () => {
  it('a request for that ticket, technician and those scopes starts without a prompt, with the banner and a notification', async () => {
    h = await startHarness();
    const { window } = await agreeTo({}, 0);
    const before = h.ui.prompts.length;
    const req = h.request({ scopes: ['view'] });
    h.relay.sendRequest(req);
    expect(await sessionDecisionOf(req)).toMatchObject({ outcome: 'accepted', granted: ['view'], decidedBy: 'agreed-window' });
    await h.relay.waitFor('session.started', (m) => m.requestId === req.requestId);
    await h.agent.idle();
    expect(h.ui.prompts).toHaveLength(before);
    expect(h.ui.banners.at(-1)).toMatchObject({ technician: { id: 'alice' }, granted: ['view'] });
    expect(h.ui.notifications.at(-1)).toMatchObject({ title: 'Remote support session started', body: expect.stringContaining('in the window you agreed to') });
    const records = recordsForTicket(join(h.dataDir, 'audit'), 'INC0012345') as unknown as Record<string, unknown>[];
    expect(records.find((r) => r.type === 'consent.decision')).toMatchObject({ decidedBy: 'agreed-window', agreedWindow: { windowId: window.windowId } });
  });


  it('before the window starts, the normal prompt applies', async () => {
    h = await startHarness();
    await agreeTo({}, HOUR);
    await prompted(h.request({ scopes: ['view'] }));
  });

  it('for another technician, the normal prompt applies', async () => {
    h = await startHarness();
    await agreeTo({}, 0);
    await prompted(h.request({ scopes: ['view'], technician: { id: 'mallory', name: 'Mallory', group: 'helpdesk' } }));
  });

  it('for another ticket, the normal prompt applies', async () => {
    h = await startHarness();
    await agreeTo({}, 0);
    await prompted(h.request({ scopes: ['view'], ticket: { id: 'INC0099999' } }));
  });

  it('for any scope more than agreed, the normal prompt applies', async () => {
    h = await startHarness();
    await agreeTo({ scopes: ['view'] }, 0);
    await prompted(h.request({ scopes: ['view', 'control'] }));
  });

  it('once the window is over it is dropped from the tray and the normal prompt applies', async () => {
    h = await startHarness();
    await agreeTo({}, 0, 1);
    expect(h.agent.status().agreedWindows).toHaveLength(1);
    h.clock.advance(HOUR);
    expect(h.agent.status().agreedWindows).toBeUndefined();
    await prompted(h.request({ scopes: ['view'] }));
    const file = JSON.parse(readFileSync(join(h.dataDir, AGREED_WINDOWS_FILE), 'utf8')) as { windows: unknown[] };
    expect(file.windows).toEqual([]);
  });
});

describe('cancelling an agreed window', () => {
  it('the user cancels at any time: signed by the device, recorded, reported; the normal prompt applies again', async () => {
    h = await startHarness();
    const { window } = await agreeTo({}, 0);
    expect(await h.agent.revokeAgreedWindow(window.windowId)).toBe(true);
    const revoked = await h.relay.waitFor('schedule.revoked');
    expect(revoked.revocation).toMatchObject({ windowId: window.windowId, deviceId: 'dev-0001' });
    expect(verifyWindowRevocationSignature(revoked, h.agent.devicePublicKey()!)).toBe(true);
    expect(h.agent.status().agreedWindows).toBeUndefined();
    expect(await h.agent.revokeAgreedWindow(window.windowId)).toBe(false);
    await prompted(h.request({ scopes: ['view'] }));
    const records = recordsForTicket(join(h.dataDir, 'audit'), 'INC0012345') as unknown as Record<string, unknown>[];
    expect(records.find((r) => r.type === 'window.revoked')).toMatchObject({ windowId: window.windowId });
  });

  it('a window edited on disk is not honoured after a restart', async () => {
    h = await startHarness();
    await agreeTo({ ticket: { id: 'INC0012345' } }, 0);
    const path = join(h.dataDir, AGREED_WINDOWS_FILE);
    const file = JSON.parse(readFileSync(path, 'utf8')) as { windows: { window: { ticketId: string } }[] };
    file.windows[0]!.window.ticketId = 'INC0099999';
    writeFileSync(path, JSON.stringify(file));
    await h.restart();
    expect(h.agent.status().agreedWindows).toBeUndefined();
    await prompted(h.request({ scopes: ['view'], ticket: { id: 'INC0099999' } }));
  });
});
