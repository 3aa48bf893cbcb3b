// The console's approval box (issue 21): a pasted or dropped token is read with
// the agent's own schema, anything else is refused in words without a throw,
// and what the approval covers is shown next to what the request says.
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, signApprovalToken } from '../../src/protocol/index.js';
import { describeApproval, readApprovalText } from '../../src/relay/console/approval-file.js';

const approvals = generateEd25519KeyPair();
const NOW = Date.parse('2026-12-04T10:00:00.000Z');
const token = signApprovalToken(
  { v: 1, kind: 'approval', deviceId: 'LAPTOP-0042', technicianId: 'alice', scopes: ['view', 'control'], ticketId: 'INC0012345', reference: 'CHG-5521', approver: 'Maria Manager', issuedAt: new Date(NOW - 600_000).toISOString(), expiresAt: new Date(NOW + 3600_000).toISOString(), nonce: randomBytes(16).toString('base64url') },
  approvals,
);

describe('console approval file', () => {
  it('reads the token file approve wrote', () => {
    expect(readApprovalText(JSON.stringify(token))).toEqual({ ok: true, token });
  });

  it('refuses in words what is not a token, and never throws', () => {
    expect(readApprovalText('')).toEqual({ ok: false, words: 'Paste the approval token, or drop the approval file here.' });
    expect(readApprovalText('{not json')).toMatchObject({ ok: false, words: expect.stringContaining('not the JSON file') });
    expect(readApprovalText(JSON.stringify({ ...token, extra: 1 }))).toMatchObject({ ok: false, words: expect.stringContaining('not a valid approval token') });
    expect(readApprovalText('x'.repeat(20_000))).toMatchObject({ ok: false, words: expect.stringContaining('far too large') });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const r = readApprovalText(text);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.words).toMatch(/^[A-Z].*\.$/);
      }),
    );
  });

  it('shows approver, reference, expiry, uses, device, ticket and access, and warns when it does not fit', () => {
    const fits = describeApproval(token, { deviceId: 'LAPTOP-0042', ticketId: 'INC0012345', scopes: ['view'] }, NOW);
    expect(fits.rows.map(([k]) => k)).toEqual(['Approved by', 'Reference', 'Expires', 'Sessions it allows', 'Device', 'Ticket', 'Access', 'Technician']);
    expect(fits.rows[2]![1]).toMatch(/\(in 60 min\)$/);
    expect(fits.rows[3]).toEqual(['Sessions it allows', token.payload.uses === undefined ? '1 session' : `${token.payload.uses} sessions`]);
    const three = describeApproval({ ...token, payload: { ...token.payload, uses: 3 } }, { deviceId: 'LAPTOP-0042', ticketId: 'INC0012345', scopes: ['view'] }, NOW);
    expect(three.rows[3]).toEqual(['Sessions it allows', '3 sessions']);
    expect(fits.warnings).toEqual([]);
    const off = describeApproval(token, { deviceId: 'PC-7', ticketId: 'INC9', scopes: ['view', 'admin'] }, NOW + 2 * 3600_000);
    expect(off.rows[2]![1]).toMatch(/\(expired\)$/);
    expect(off.warnings).toEqual([
      'This approval has expired: the device will refuse it. Ask the approver for a new one.',
      'This approval is for device LAPTOP-0042, not PC-7.',
      'This approval is for ticket INC0012345, not INC9.',
      'This approval does not cover: Admin.',
    ]);
  });
});


describe('countdown text (the console\'s time left, the banner\'s countdown)', () => {
  it('counts minutes and seconds, hours when needed, never below zero', async () => {
    const { clock } = await import('../../src/shared/countdown-text.js');
    expect(clock(105_000)).toBe('1:45');
    expect(clock(3_725_000)).toBe('1:02:05');
    expect(clock(-5)).toBe('0:00');
    expect(clock(400)).toBe('0:01');
  });
});
