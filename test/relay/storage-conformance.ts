// What every RelayStorage must do, run against each implementation (SQLite file, PostgreSQL
// server), so the relay behaves the same whichever one an installation picks.
import { describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, signAgreedWindow } from '../../src/protocol/index.js';
import { agreedWindow } from '../fixtures/sample-messages.js';
import { verifyAuditChain, type AuditEntry } from '../../src/relay/audit/audit-record.js';
import { signAuditCheckpoint } from '../../src/relay/audit/checkpoint.js';
import type { RelayStorage, TechnicianRecord } from '../../src/relay/storage/storage.js';

export function closeEntry(ticketId: string, at: string, sessionId = 'ses-1'): AuditEntry {
  return { kind: 'close', at, ticketId, deviceId: 'dev-1', technicianId: 'alice', requestId: null, sessionId, data: { outcome: 'resolved' } };
}

const alice: TechnicianRecord = {
  id: 'alice',
  name: 'Alice Moreau',
  group: 'helpdesk',
  org: 'Robinson Park IT',
  scopes: ['view', 'control'],
  unattended: false,
  tokenHash: 'a'.repeat(64),
  createdAt: '2026-11-01T10:00:00.000Z',
  disabled: false,
};

/** `open` gives a fresh, empty store; `reopen` the same store again (a relay restart). */
export function describeRelayStorage(name: string, open: () => Promise<{ storage: RelayStorage; reopen: () => Promise<RelayStorage> }>): void {
  describe(`${name}: the RelayStorage contract`, () => {
    it('keeps technicians and finds them by id and by token hash only', async () => {
      const { storage } = await open();
      try {
        await storage.addTechnician(alice);
        await storage.addTechnician({ ...alice, id: 'bob', name: 'Bob', tokenHash: 'b'.repeat(64), org: undefined as never, unattended: true });
        expect(await storage.getTechnician('alice')).toEqual(alice);
        expect(await storage.findTechnicianByTokenHash('b'.repeat(64))).toMatchObject({ id: 'bob', unattended: true });
        expect(await storage.findTechnicianByTokenHash('c'.repeat(64))).toBeNull();
        expect((await storage.listTechnicians()).map((t) => t.id)).toEqual(['alice', 'bob']);
        expect('org' in (await storage.getTechnician('bob'))!).toBe(false);
        await expect(storage.addTechnician({ ...alice, id: 'carol' })).rejects.toThrow(); // same token hash
      } finally {
        await storage.close();
      }
    });

    it('changes, signs in, rotates with grace, takes each TOTP step once, and removes technicians', async () => {
      const { storage, reopen } = await open();
      const full: TechnicianRecord = { ...alice, id: 'dana', tokenHash: 'd'.repeat(64), tokenExpiresAt: '2027-02-01T00:00:00.000Z', disableAt: '2026-11-02T00:00:00.000Z' };
      try {
        await storage.addTechnician(full);
        expect(await storage.getTechnician('dana')).toEqual(full);
        expect(await storage.updateTechnician('dana', { group: 'tier2', scopes: ['view'], unattended: true, disableAt: null })).toBe(true);
        expect(await storage.updateTechnician('nobody', { disabled: true })).toBe(false);
        await storage.recordTechnicianSignIn('dana', '2026-11-01T12:00:00.000Z');
        expect(await storage.updateTechnician('dana', { tokenHash: 'e'.repeat(64), previousTokenHash: 'd'.repeat(64), previousTokenUntil: '2026-11-01T13:00:00.000Z' })).toBe(true);
        // The rotated-out token still finds the account; the caller checks its grace.
        expect(await storage.findTechnicianByTokenHash('d'.repeat(64))).toMatchObject({ id: 'dana', tokenHash: 'e'.repeat(64), previousTokenUntil: '2026-11-01T13:00:00.000Z' });
        expect(await storage.updateTechnician('dana', { mfaSecret: 'JBSWY3DPEHPK3PXP', mfaEnrolledAt: '2026-11-01T12:30:00.000Z' })).toBe(true);
        expect(await storage.claimOtpStep('dana', 100)).toBe(true);
        expect(await storage.claimOtpStep('dana', 100)).toBe(false); // the same code twice
        expect(await storage.claimOtpStep('dana', 99)).toBe(false); // an older code
        expect(await storage.claimOtpStep('dana', 101)).toBe(true);
        const again = await reopen();
        try {
          const dana = await again.getTechnician('dana');
          expect(dana).toMatchObject({ group: 'tier2', scopes: ['view'], unattended: true, lastSignInAt: '2026-11-01T12:00:00.000Z', mfaSecret: 'JBSWY3DPEHPK3PXP', mfaLastStep: 101 });
          expect('disableAt' in dana!).toBe(false);
          expect(await again.updateTechnician('dana', { mfaSecret: null, mfaEnrolledAt: null, mfaLastStep: null })).toBe(true);
          expect('mfaSecret' in (await again.getTechnician('dana'))!).toBe(false);
          expect(await again.removeTechnician('dana')).toBe(true);
          expect(await again.removeTechnician('dana')).toBe(false);
          expect(await again.findTechnicianByTokenHash('e'.repeat(64))).toBeNull();
        } finally {
          await again.close();
        }
      } finally {
        await storage.close();
      }
    });

    it('counts uses of a manager approval atomically, never past its maximum, gives them back and forgets expired ones', async () => {
      const { storage, reopen } = await open();
      const hash = 'f'.repeat(64);
      const until = '2026-11-01T12:00:00.000Z';
      const now = '2026-11-01T10:00:00.000Z';
      try {
        // Ten claims at once on a two-use approval: exactly two succeed, numbered 1 and 2.
        const claims = await Promise.all(Array.from({ length: 10 }, () => storage.claimApprovalUse(hash, 2, until, now)));
        expect(claims.filter((c) => c !== null).sort()).toEqual([1, 2]);
        await storage.releaseApprovalUse(hash);
        const again = await reopen();
        try {
          expect(await again.claimApprovalUse(hash, 2, until, now)).toBe(2);
          expect(await again.claimApprovalUse(hash, 2, until, now)).toBeNull();
          // A release never goes below zero, and another approval has its own count.
          for (let i = 0; i < 4; i++) await again.releaseApprovalUse('e'.repeat(64));
          expect(await again.claimApprovalUse('e'.repeat(64), 1, until, now)).toBe(1);
          // Past its expiry the row goes (the approval is refused on expiry anyway): a fresh count.
          expect(await again.claimApprovalUse(hash, 2, until, '2026-11-01T12:00:00.001Z')).toBe(1);
        } finally {
          await again.close();
        }
      } finally {
        await storage.close();
      }
    });

    it('registers, re-keys and touches devices', async () => {
      const { storage } = await open();
      try {
        await storage.registerDevice({ deviceId: 'dev-1', publicKey: 'k1', enrolledAt: '2026-11-01T10:00:00.000Z', lastSeenAt: null });
        await storage.touchDevice('dev-1', '2026-11-01T11:00:00.000Z');
        await storage.registerDevice({ deviceId: 'dev-1', publicKey: 'k2', enrolledAt: '2026-11-02T10:00:00.000Z', lastSeenAt: null });
        expect(await storage.getDevice('dev-1')).toEqual({ deviceId: 'dev-1', publicKey: 'k2', enrolledAt: '2026-11-02T10:00:00.000Z', lastSeenAt: '2026-11-01T11:00:00.000Z' });
        expect(await storage.getDevice('dev-2')).toBeNull();
      } finally {
        await storage.close();
      }
    });

    it('consumes an enrollment once, for its device and purpose, before expiry', async () => {
      const { storage } = await open();
      try {
        const now = '2026-11-01T11:00:00.000Z';
        await storage.addEnrollment({ deviceId: 'dev-1', tokenHash: 'h1', createdAt: '2026-11-01T10:00:00.000Z', expiresAt: '2026-11-02T10:00:00.000Z' });
        await storage.addEnrollment({ deviceId: 'dev-1', tokenHash: 'rk', createdAt: now, expiresAt: '2026-11-02T10:00:00.000Z', purpose: 'rekey' });
        expect(await storage.consumeEnrollment('dev-2', 'h1', now)).toBe(false);
        expect(await storage.consumeEnrollment('dev-1', 'h1', '2026-11-03T11:00:00.000Z')).toBe(false);
        expect(await storage.consumeEnrollment('dev-1', 'h1', now, 'rekey')).toBe(false);
        expect(await storage.consumeEnrollment('dev-1', 'rk', now)).toBe(false);
        const both = await Promise.all([storage.consumeEnrollment('dev-1', 'h1', now), storage.consumeEnrollment('dev-1', 'h1', now)]);
        expect(both.sort()).toEqual([false, true]);
        expect(await storage.consumeEnrollment('dev-1', 'rk', now, 'rekey')).toBe(true);
      } finally {
        await storage.close();
      }
    });

    it('chains the audit across a restart and answers every kind of query', async () => {
      const { storage, reopen } = await open();
      await storage.appendAudit(closeEntry('INC1', '2026-11-01T10:00:00.000Z', 'ses-1'));
      await storage.appendAudit(closeEntry('INC2', '2026-11-01T11:00:00.000Z', 'ses-2'));
      await storage.close();
      const again = await reopen();
      try {
        await again.appendAudit({ ...closeEntry('INC1', '2026-11-02T10:00:00.000Z', 'ses-3'), kind: 'rejected', data: { action: 'tech.request', code: 'bad-frame', detail: 'x' } } as AuditEntry);
        const all = await again.queryAudit({});
        expect(all.map((r) => r.seq)).toEqual([1, 2, 3]);
        expect(verifyAuditChain(all)).toEqual({ ok: true });
        expect(await again.auditHead()).toEqual({ seq: 3, hash: all[2]!.hash });
        expect((await again.queryAudit({ ticketId: 'INC1' })).map((r) => r.seq)).toEqual([1, 3]);
        expect((await again.queryAudit({ sessionId: 'ses-2' })).map((r) => r.seq)).toEqual([2]);
        expect((await again.queryAudit({ kinds: ['rejected'] })).map((r) => r.seq)).toEqual([3]);
        expect(await again.queryAudit({ kinds: [] })).toEqual([]);
        expect((await again.queryAudit({ from: '2026-11-01T11:00:00.000Z', to: '2026-11-02T10:00:00.000Z' })).map((r) => r.seq)).toEqual([2]);
        expect((await again.queryAudit({ fromSeq: 2, toSeq: 3, technicianId: 'alice', deviceId: 'dev-1' })).map((r) => r.seq)).toEqual([2, 3]);
        expect(all[0]).toEqual((await again.queryAudit({ requestId: undefined, toSeq: 1 }))[0]);
      } finally {
        await again.close();
      }
    });

    it('keeps the chain linear when appends race', async () => {
      const { storage } = await open();
      try {
        await Promise.all(Array.from({ length: 40 }, (_, i) => storage.appendAudit(closeEntry(`R${i}`, '2026-11-01T10:00:00.000Z'))));
        const all = await storage.queryAudit({});
        expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        expect(verifyAuditChain(all)).toEqual({ ok: true });
      } finally {
        await storage.close();
      }
    });

    it('prunes by retention; checkpoints are found from either end', async () => {
      const { storage } = await open();
      try {
        await storage.appendAudit(closeEntry('OLD', '2026-09-01T10:00:00.000Z'));
        await storage.appendAudit(closeEntry('NEW', '2026-11-01T10:00:00.000Z'));
        await storage.appendAudit(closeEntry('NEW', '2026-11-01T10:00:01.000Z'));
        expect(await storage.pruneAudit('2026-10-01T00:00:00.000Z')).toBe(1);
        expect(verifyAuditChain(await storage.queryAudit({}))).toEqual({ ok: true });
        const key = generateEd25519KeyPair();
        const first = signAuditCheckpoint({ seq: 2, hash: (await storage.queryAudit({ toSeq: 2 })).at(-1)!.hash }, '2026-11-01T10:00:00.500Z', key);
        const head = signAuditCheckpoint((await storage.auditHead())!, '2026-11-01T10:00:02.000Z', key);
        await storage.addCheckpoint(first);
        await storage.addCheckpoint(head);
        await storage.addCheckpoint(head); // idempotent
        expect(await storage.latestCheckpoint()).toEqual(head);
        expect(await storage.latestCheckpoint(4)).toBeNull();
        expect(await storage.firstCheckpointFrom(1)).toEqual(first);
        expect(await storage.firstCheckpointFrom(3)).toEqual(head);
      } finally {
        await storage.close();
      }
    });

    it('keeps agreed windows per device, once each, survives a restart, and cancels each once (issue 20)', async () => {
      const { storage, reopen } = await open();
      const key = generateEd25519KeyPair();
      const first = signAgreedWindow(agreedWindow(), key);
      const later = signAgreedWindow(agreedWindow({ windowId: 'win-0002', startsAt: '2026-11-25T18:00:00.000Z', endsAt: '2026-11-25T20:00:00.000Z' }), key);
      const elsewhere = signAgreedWindow(agreedWindow({ windowId: 'win-0003', deviceId: 'dev-0002' }), key);
      await storage.addAgreedWindow(later);
      await storage.addAgreedWindow(first);
      await storage.addAgreedWindow(first); // a re-sent decision changes nothing
      await storage.addAgreedWindow(elsewhere);
      await storage.close();
      const again = await reopen();
      try {
        expect(await again.listAgreedWindows('dev-0001')).toEqual([
          { signed: first, revokedAt: null },
          { signed: later, revokedAt: null },
        ]);
        expect(await again.revokeAgreedWindow('win-0001', 'dev-0002', '2026-11-24T11:00:00.000Z')).toBe(false); // not that device's
        expect(await again.revokeAgreedWindow('win-0001', 'dev-0001', '2026-11-24T11:00:00.000Z')).toBe(true);
        expect(await again.revokeAgreedWindow('win-0001', 'dev-0001', '2026-11-24T11:05:00.000Z')).toBe(false); // once
        expect(await again.revokeAgreedWindow('win-none', 'dev-0001', '2026-11-24T11:05:00.000Z')).toBe(false);
        const listed = await again.listAgreedWindows('dev-0001');
        expect(listed[0]).toEqual({ signed: first, revokedAt: '2026-11-24T11:00:00.000Z' });
        expect(listed[1]!.revokedAt).toBeNull();
        expect(await again.listAgreedWindows('dev-0002')).toEqual([{ signed: elsewhere, revokedAt: null }]);
      } finally {
        await again.close();
      }
    });

    it('close is idempotent', async () => {
      const { storage } = await open();
      await storage.close();
      await expect(storage.close()).resolves.toBeUndefined();
    });
  });
}
