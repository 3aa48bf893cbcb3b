// What the dialog warns about is what the device audit says it warned about,
// and IT's own wording (policy) reaches the dialog through the same text policy.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordsForTicket } from '../../src/core/audit/export.js';
import { partialPolicySchema } from '../../src/core/policy/schema.js';
import { signScheduleRequest } from '../../src/protocol/index.js';
import { scheduleRequestPayload } from '../fixtures/sample-messages.js';
import { freshNonce, startHarness, startLiveSession, type Harness } from './agent-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const recordsOf = (ticket: string) => recordsForTicket(join(h.dataDir, 'audit'), ticket) as unknown as Record<string, unknown>[];

async function declineOne(technician: { name: string; org?: string }, ticket: string) {
  const req = h.request({ ticket: { id: ticket }, technician: { id: 'alice', group: 'helpdesk', ...technician } });
  h.relay.sendRequest(req);
  const view = await h.ui.nextPrompt();
  h.ui.answer(view.promptId, []);
  await h.relay.waitFor('session.decision');
  await h.agent.idle();
  return view;
}

describe('identity warnings in the device audit', () => {
  it('records a mixed-script name on the request and its decision, with the organisation shown', async () => {
    h = await startHarness();
    // A Cyrillic М posing as a Latin M.
    await declineOne({ name: 'Alice Smith', org: '\u041cicrosoft Support' }, 'INC-MIXED');
    const [received, decision] = recordsOf('INC-MIXED');
    expect(received).toMatchObject({ type: 'request.received', technicianOrg: '\u041cicrosoft Support', identityWarnings: ['mixed-script'] });
    expect(decision).toMatchObject({ type: 'consent.decision', identityWarnings: ['mixed-script'] });
  });

  it('records an emoji badge in a name as symbols', async () => {
    h = await startHarness();
    await declineOne({ name: '\u2705 Verified Support' }, 'INC-BADGE');
    expect(recordsOf('INC-BADGE').map((r) => r.identityWarnings)).toEqual([['symbols'], ['symbols']]);
  });

  it('records the same warnings and organisation for a scheduling prompt (issue 20) as for a session request', async () => {
    h = await startHarness();
    const now = h.clock.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const technician = { id: 'alice', name: 'Alice Smith', group: 'helpdesk', org: '\u041cicrosoft Support' };
    const p = scheduleRequestPayload({ requestId: 'sch-mixed', ticket: { id: 'INC-SCHED' }, technician, nonce: freshNonce(), issuedAt: iso(now), expiresAt: iso(now + 120_000), startsAt: iso(now + 3_600_000), endsAt: iso(now + 7_200_000) });
    h.relay.send(signScheduleRequest(p, h.relay.relayKey));
    h.ui.answer((await h.ui.nextPrompt()).promptId, []);
    await h.relay.waitFor('schedule.decision');
    await h.agent.idle();
    const records = recordsOf('INC-SCHED');
    expect(records.map((r) => r.type)).toEqual(['schedule.received', 'schedule.decision']);
    for (const r of records) expect(r).toMatchObject({ technicianOrg: '\u041cicrosoft Support', identityWarnings: ['mixed-script'] });
  });

  it('records no warning for an ordinary name', async () => {
    h = await startHarness();
    await declineOne({ name: 'Zoë Ångström', org: 'Robinson Park IT' }, 'INC-PLAIN');
    for (const r of recordsOf('INC-PLAIN')) expect(r).not.toHaveProperty('identityWarnings');
  });
});

describe("IT's own wording in the dialog", () => {
  const wording = { itDisplayName: 'Robinson Park IT', itConsentLine: 'Robinson Park IT will never ask for your password.', itSupportPhone: '555-0100' };

  it('puts the policy wording into every prompt, new sessions and escalations alike', async () => {
    h = await startHarness({ policy: wording });
    const expected = { displayName: wording.itDisplayName, customLine: wording.itConsentLine, supportPhone: wording.itSupportPhone };
    const sessionId = await startLiveSession(h, ['view']);
    expect(h.ui.prompts.at(-1)!.itWording).toEqual(expected);
    h.relay.sendScopeRequest(h.escalation(sessionId, { scopes: ['control'] }));
    expect((await h.ui.nextPrompt()).itWording).toEqual(expected);
  });

  it('shows no wording when IT set none', async () => {
    h = await startHarness();
    const req = h.request();
    h.relay.sendRequest(req);
    expect(await h.ui.nextPrompt()).not.toHaveProperty('itWording');
  });

  it('refuses wording that breaks the text policy, and a "phone number" that is a sentence', () => {
    for (const bad of [
      { itDisplayName: 'Robinson\u202e TI kraP' },
      { itDisplayName: '\u200b\u200b' },
      { itConsentLine: 'line one\u2028line two' },
      { itDisplayName: 'x'.repeat(41) },
      { itSupportPhone: 'Call Bob, he knows' },
      { itSupportPhone: '555\u200f0100' },
    ])
      expect(partialPolicySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    for (const good of ['555-0100', '+1 (555) 0100 ext. 47110', '(020) 7946 0000', '+44 20 7946 0000 x12'])
      expect(partialPolicySchema.safeParse({ itSupportPhone: good }).success, good).toBe(true);
  });
});
