// A scripted month of support (November 2026, with the weeks around it that
// the figures depend on). report-compute.test.ts asserts every report figure
// against values worked out by hand from this script; keep them in step.
import type { RelayStorage } from '../../src/relay/storage/storage.js';
import { AuditScript } from './audit-script.js';

export async function scriptNovember(storage: RelayStorage): Promise<void> {
  const a = new AuditScript(storage);
  // --- before the month ---------------------------------------------------------------
  // INC-080 on LAPTOP-3, 36 days before INC-102: too early to make that a repeat.
  await a.session({ at: '2026-09-30T10:00:00.000Z', ticket: 'INC-080', device: 'LAPTOP-3', tech: 'alice', scopes: ['view'], decideAfter: 15, outcome: 'accepted' });
  await a.close('2026-09-30T10:30:00.000Z', 'INC-080', 'alice', 'resolved');
  // INC-100 opens in October (its second session and resolution fall in November).
  await a.session({ at: '2026-10-20T09:00:00.000Z', ticket: 'INC-100', device: 'LAPTOP-1', tech: 'alice', scopes: ['view', 'control'], decideAfter: 20, outcome: 'accepted' });
  // INC-090 on LAPTOP-2: makes INC-101 a repeat incident.
  await a.session({ at: '2026-10-25T12:00:00.000Z', ticket: 'INC-090', device: 'LAPTOP-2', tech: 'bob', scopes: ['view'], decideAfter: 12, outcome: 'accepted' });
  await a.close('2026-10-25T13:00:00.000Z', 'INC-090', 'bob', 'resolved');
  // INC-099: 31 Oct 23:30 UTC is 1 Nov 00:30 in Berlin (in November only with --tz Europe/Berlin).
  await a.session({ at: '2026-10-31T23:30:00.000Z', ticket: 'INC-099', device: 'LAPTOP-7', tech: 'alice', scopes: ['view'], decideAfter: 20, outcome: 'accepted', lasts: 300 });
  await a.close('2026-10-31T23:50:00.000Z', 'INC-099', 'alice', 'resolved');

  // --- November -----------------------------------------------------------------------
  const s101 = await a.session({
    at: '2026-11-02T08:00:00.000Z', ticket: 'INC-101', device: 'LAPTOP-2', tech: 'bob', scopes: ['view', 'control'], decideAfter: 10, outcome: 'accepted', endedBy: 'technician',
    files: [{ name: 'patch.msi', size: 1000, direction: 'to-device', allowed: true }],
  });
  await a.close('2026-11-02T08:31:00.000Z', 'INC-101', 'bob', 'resolved', s101.sessionId);
  // The user disagrees: not solved (FCR by the user's word: no), rated 2.
  await a.resolution('2026-11-02T08:40:00.000Z', 'INC-101', 'bob', 'LAPTOP-2', s101, false, 2);

  await a.session({ at: '2026-11-03T10:00:00.000Z', ticket: 'INC-100', device: 'LAPTOP-1', tech: 'alice', scopes: ['view', 'control'], decideAfter: 40, outcome: 'accepted' });
  await a.close('2026-11-03T11:00:00.000Z', 'INC-100', 'alice', 'resolved');

  const s102 = await a.session({ at: '2026-11-05T14:00:00.000Z', ticket: 'INC-102', device: 'LAPTOP-3', tech: 'alice', scopes: ['view', 'control', 'admin'], decideAfter: 30, outcome: 'partial', granted: ['view', 'control'] });
  await a.close('2026-11-05T15:00:00.000Z', 'INC-102', 'alice', 'follow-up');
  await a.resolution('2026-11-05T15:05:00.000Z', 'INC-102', 'alice', 'LAPTOP-3', s102, false, 3);
  await a.session({
    at: '2026-11-06T09:00:00.000Z', ticket: 'INC-102', device: 'LAPTOP-3', tech: 'alice', scopes: ['view', 'control'], decideAfter: 20, outcome: 'accepted',
    files: [{ name: 'logs.zip', size: 2048, direction: 'from-device', allowed: false, code: 'policy-blocked' }],
  });
  await a.close('2026-11-06T09:45:00.000Z', 'INC-102', 'alice', 'resolved');

  await a.session({ at: '2026-11-10T10:00:00.000Z', ticket: 'INC-103', device: 'LAPTOP-1', tech: 'carol', mode: 'unattended', scopes: ['view', 'control', 'admin'], decideAfter: 1, outcome: 'accepted', decidedBy: 'approval', endedBy: 'expiry', maintenance: { taskId: 'CHG0004711', targets: ['LAPTOP-1', 'VPN client 7.2'] } });
  await a.close('2026-11-10T11:00:00.000Z', 'INC-103', 'carol', 'resolved');

  await a.session({ at: '2026-11-12T02:00:00.000Z', ticket: 'INC-104', device: 'SRV-1', tech: 'carol', mode: 'emergency', scopes: ['view', 'admin'], decideAfter: 1, outcome: 'accepted', decidedBy: 'emergency' });
  await a.close('2026-11-12T03:00:00.000Z', 'INC-104', 'carol', 'escalated');

  await a.session({ at: '2026-11-15T09:00:00.000Z', ticket: 'INC-105', device: 'LAPTOP-4', tech: 'alice', scopes: ['view', 'file-transfer'], decideAfter: 45, outcome: 'declined' });
  await a.session({ at: '2026-11-15T09:10:00.000Z', ticket: 'INC-105', device: 'LAPTOP-4', tech: 'alice', scopes: ['view'], decideAfter: 120, outcome: 'expired', decidedBy: 'timeout' });

  await a.session({ at: '2026-11-18T16:00:00.000Z', ticket: 'INC-106', device: 'KIOSK-1', tech: 'bob', scopes: ['view'], decideAfter: 1, outcome: 'no-user-present', decidedBy: 'no-user' });
  await a.close('2026-11-18T16:30:00.000Z', 'INC-106', 'bob', 'resolved');

  const s107 = await a.session({
    at: '2026-11-20T11:00:00.000Z', ticket: 'INC-107', device: 'LAPTOP-5', tech: 'bob', scopes: ['view', 'control', 'file-transfer'], decideAfter: 90, outcome: 'accepted',
    files: [
      { name: 'fix.ps1', size: 500, direction: 'to-device', allowed: true },
      { name: 'tool.exe', size: 3000, direction: 'to-device', allowed: false, code: 'policy-blocked' },
      { name: 'screen.png', size: 700, direction: 'from-device', allowed: null },
    ],
  });

  // INC-107: never closed by the technician, but the user says solved, rated 5 (CSAT only: not resolved in the report).
  await a.resolution('2026-11-20T12:00:00.000Z', 'INC-107', 'bob', 'LAPTOP-5', s107, true, 5);

  const s108 = await a.session({ at: '2026-11-25T13:00:00.000Z', ticket: 'INC-108', device: 'LAPTOP-2', tech: 'alice', scopes: ['view'] });
  await a.cancel('2026-11-25T13:01:00.000Z', 'INC-108', 'alice', 'LAPTOP-2', s108.requestId);
  const s108b = await a.session({ at: '2026-11-25T13:05:00.000Z', ticket: 'INC-108', device: 'LAPTOP-2', tech: 'alice', scopes: ['view'] });
  await a.agentGone('2026-11-25T13:06:00.000Z', 'INC-108', 'alice', 'LAPTOP-2', s108b.requestId);
  await a.refused('2026-11-25T13:10:00.000Z', 'INC-108', 'alice', 'LAPTOP-2');
  await a.close('2026-11-25T13:30:00.000Z', 'INC-108', 'alice', 'follow-up');

  await a.session({ at: '2026-11-28T10:00:00.000Z', ticket: 'INC-110', device: 'LAPTOP-8', tech: 'bob', scopes: ['view'] });
  await a.session({ at: '2026-11-29T10:00:00.000Z', ticket: 'INC-111', device: 'LAPTOP-9', tech: 'carol', scopes: ['admin'], decideAfter: 0, outcome: 'blocked', decidedBy: 'policy' });

  await a.session({ at: '2026-11-30T23:30:00.000Z', ticket: 'INC-109', device: 'LAPTOP-6', tech: 'carol', scopes: ['view'], decideAfter: 60, outcome: 'accepted', lasts: 1200 });
  // --- after the month ------------------------------------------------------------------
  await a.close('2026-12-01T00:10:00.000Z', 'INC-109', 'carol', 'resolved');
}
