// How the technician reached the user (seed 000): carried in the signed request, shown in
// the dialog, kept in the device audit, and required for attended requests where IT says so.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordsForTicket } from '../../src/core/audit/export.js';
import { partialPolicySchema } from '../../src/core/policy/schema.js';
import type { SessionRequestPayload } from '../../src/protocol/messages.js';
import { startHarness, type Harness } from './agent-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const CONTACT = { channel: 'phone' as const, at: '2026-11-30T10:32:00.000Z', note: 'called ext. 4411' };
const recordsOf = (ticket: string) => recordsForTicket(join(h.dataDir, 'audit'), ticket) as unknown as Record<string, unknown>[];

async function decisionFor(req: SessionRequestPayload) {
  return h.relay.waitFor('session.decision', (m) => m.requestId === req.requestId);
}

describe('contact before connecting', () => {
  it('reaches the dialog and the device audit exactly as the relay signed it', async () => {
    h = await startHarness();
    const req = h.request({ ticket: { id: 'INC-CALL' }, contact: CONTACT });
    h.relay.sendRequest(req);
    const view = await h.ui.nextPrompt();
    expect(view.contact).toEqual(CONTACT);
    expect(view).not.toHaveProperty('contactRequired');
    h.ui.answer(view.promptId, []);
    await decisionFor(req);
    await h.agent.idle();
    expect(recordsOf('INC-CALL')[0]).toMatchObject({ type: 'request.received', contact: CONTACT });
  });

  it('blocks an attended request without contact where policy requires it, before anything is shown', async () => {
    h = await startHarness({ policy: { requireContact: true } });
    const req = h.request({ ticket: { id: 'INC-NOCALL' } });
    h.relay.sendRequest(req);
    expect(await decisionFor(req)).toMatchObject({ outcome: 'blocked', decidedBy: 'policy', code: 'policy-blocked', detail: expect.stringContaining('--contact') });
    expect(h.ui.prompts).toHaveLength(0);
  });

  it('where policy requires it, the dialog asks the user to accept only while talking to the technician', async () => {
    h = await startHarness({ policy: { requireContact: true } });
    h.relay.sendRequest(h.request({ contact: CONTACT }));
    expect(await h.ui.nextPrompt()).toMatchObject({ contact: CONTACT, contactRequired: true });
  });

  it('is an IT-only boolean key', () => {
    expect(partialPolicySchema.safeParse({ requireContact: true }).success).toBe(true);
    expect(partialPolicySchema.safeParse({ requireContact: 'yes' }).success).toBe(false);
  });
});
