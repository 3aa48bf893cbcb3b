// Seed 000's documentation rule as the report and the relay read it: an emergency
// session is documented only by a close with what / why / result that comes after it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emergencySessions, undocumentedTickets } from '../../src/relay/audit/emergency-documentation.js';
import { computeMonthlyReport } from '../../src/relay/report/compute.js';
import { monthWindow } from '../../src/relay/report/month-window.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { AuditScript } from './audit-script.js';

let storage: SqliteStorage;
let a: AuditScript;
beforeEach(() => {
  storage = new SqliteStorage(':memory:');
  a = new AuditScript(storage);
});
afterEach(() => storage.close());

const documentation = { what: 'Restarted the mail gateway', why: 'Mail queue stuck', result: 'Mail flows again' };
const emergency = (at: string, ticket: string) =>
  a.session({ at, ticket, device: 'SRV-1', tech: 'carol', mode: 'emergency', scopes: ['view', 'admin'], decideAfter: 1, outcome: 'accepted', decidedBy: 'emergency' });

describe('emergency documentation', () => {
  it('a plain close does not document; a later close with what / why / result does', async () => {
    await emergency('2026-11-12T02:00:00.000Z', 'INC-1');
    await a.close('2026-11-12T03:00:00.000Z', 'INC-1', 'carol', 'escalated');
    expect(undocumentedTickets(emergencySessions(await storage.queryAudit({})))).toEqual(['INC-1']);
    await a.append('close', '2026-11-12T04:00:00.000Z', { ticketId: 'INC-1', technicianId: 'carol' }, { outcome: 'resolved', documentation });
    const sessions = emergencySessions(await storage.queryAudit({}));
    expect(sessions.map((s) => s.documentedAt)).toEqual(['2026-11-12T04:00:00.000Z']);
    expect(undocumentedTickets(sessions)).toEqual([]);
  });

  it('a documented close before a second emergency session does not cover it', async () => {
    await emergency('2026-11-12T02:00:00.000Z', 'INC-2');
    await a.append('close', '2026-11-12T03:00:00.000Z', { ticketId: 'INC-2', technicianId: 'carol' }, { outcome: 'follow-up', documentation });
    await emergency('2026-11-13T02:00:00.000Z', 'INC-2');
    const sessions = emergencySessions(await storage.queryAudit({}));
    expect(sessions.map((s) => s.documentedAt)).toEqual(['2026-11-12T03:00:00.000Z', null]);
    expect(undocumentedTickets(sessions, 'carol')).toEqual(['INC-2']);
    expect(undocumentedTickets(sessions, 'alice')).toEqual([]);
  });

  it('the report lists each status: documented, missing, no session', async () => {
    await emergency('2026-11-12T02:00:00.000Z', 'INC-3');
    await a.append('close', '2026-11-12T04:00:00.000Z', { ticketId: 'INC-3', technicianId: 'carol' }, { outcome: 'resolved', documentation });
    await emergency('2026-11-14T02:00:00.000Z', 'INC-4');
    // Refused on the device: no session ran, nothing to document.
    await a.session({ at: '2026-11-15T02:00:00.000Z', ticket: 'INC-5', device: 'SRV-1', tech: 'carol', mode: 'emergency', scopes: ['admin'], decideAfter: 0, outcome: 'blocked', decidedBy: 'policy' });
    const w = monthWindow('2026-11');
    const r = computeMonthlyReport(await storage.queryAudit({}), w, Date.parse('2026-12-02T00:00:00.000Z'));
    expect(r.unattended.map((u) => [u.ticketId, u.documentation])).toEqual([['INC-3', 'documented'], ['INC-4', 'missing'], ['INC-5', 'not-started']]);
    expect(r.emergencyWithoutDocumentation).toEqual({ count: 1, tickets: ['INC-4'] });
  });
});
