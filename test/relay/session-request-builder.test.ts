import { describe, expect, it } from 'vitest';
import { signApprovalToken, type Message } from '../../src/protocol/index.js';
import { buildSessionRequest, type RequestRandomness } from '../../src/relay/session-request-builder.js';
import type { TechnicianRecord } from '../../src/relay/storage/storage.js';
import { approvalPayload, approvalsKey } from '../fixtures/sample-messages.js';

const now = Date.parse('2026-11-24T10:00:00.000Z');
const fixed: RequestRandomness = { code: () => '012345', nonce: () => 'Zml4ZWQtbm9uY2UtZml4ZWQtMQ', id: () => 'req-fixed' };
const alice: TechnicianRecord = { id: 'alice', name: 'Alice Moreau', group: 'helpdesk', org: 'Robinson Park IT', scopes: ['view', 'control'], unattended: true, tokenHash: 'h', createdAt: '', disabled: false };

function req(over: Partial<Message<'tech.request'>> = {}): Message<'tech.request'> {
  return { v: 1, type: 'tech.request', id: 'm1', deviceId: 'dev-0001', ticket: { id: 'INC0012345' }, reason: 'r', scopes: ['view'], mode: 'attended', estimatedMinutes: 10, ...over };
}
const manager = (over = {}) => ({ kind: 'manager' as const, token: signApprovalToken(approvalPayload(over), approvalsKey) });

describe('buildSessionRequest', () => {
  it('stamps the stored identity, code, nonce and a bounded expiry', () => {
    const r = buildSessionRequest(req(), alice, now, 300_000, fixed);
    expect(r).toMatchObject({ ok: true, mode: 'attended', payload: { technician: { id: 'alice', name: 'Alice Moreau', group: 'helpdesk', org: 'Robinson Park IT' }, verificationCode: '012345', issuedAt: '2026-11-24T10:00:00.000Z', expiresAt: '2026-11-24T10:05:00.000Z' } });
  });

  it('classifies manager approvals as unattended and justifications as emergency', () => {
    expect(buildSessionRequest(req({ mode: 'unattended', approval: manager() }), alice, now, 1, fixed, approvalsKey.publicKey)).toMatchObject({ ok: true, mode: 'unattended' });
    expect(buildSessionRequest(req({ mode: 'unattended', approval: { kind: 'emergency', justification: 'j', incident: 'SEC-1' } }), alice, now, 1, fixed)).toMatchObject({ ok: true, mode: 'emergency' });
  });

  it.each([
    ['another technician', { technicianId: 'bob' }],
    ['another ticket', { ticketId: 'INC9' }],
    ['fewer scopes', { scopes: ['control'] }],
  ] as const)('refuses an approval for %s', (_n, over) => {
    expect(buildSessionRequest(req({ mode: 'unattended', approval: manager(over) }), alice, now, 1, fixed)).toMatchObject({ ok: false, code: 'bad-approval' });
  });

  it("names the technician's --unattended flag, not the group, when unattended is refused", () => {
    const bob = { ...alice, id: 'bob', unattended: false };
    expect(buildSessionRequest(req({ mode: 'unattended', approval: manager() }), bob, now, 1, fixed)).toEqual({
      ok: false,
      code: 'forbidden',
      detail: 'technician bob is not allowed unattended access (add the technician with relay add-technician --unattended)',
    });
  });

  it('refuses unattended without approval, and an approval on an attended request', () => {
    expect(buildSessionRequest(req({ mode: 'unattended' }), alice, now, 1, fixed)).toMatchObject({ ok: false, code: 'bad-approval' });
    expect(buildSessionRequest(req({ approval: manager() }), alice, now, 1, fixed)).toMatchObject({ ok: false, code: 'bad-frame' });
  });
});
