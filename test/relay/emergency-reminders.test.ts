// The session.pending reminder read incrementally: the same tickets as a full
// read of the technician's history, with later requests reading only the
// records written since (not the whole history per request).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmergencyReminders, REFRESH_MS } from '../../src/relay/routing/emergency-reminders.js';
import type { AuditQuery } from '../../src/relay/storage/storage.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { AuditScript } from './audit-script.js';

let storage: SqliteStorage;
let a: AuditScript;
let queries: AuditQuery[];
let nowMs: number;
let reminders: EmergencyReminders;
beforeEach(() => {
  storage = new SqliteStorage(':memory:');
  a = new AuditScript(storage);
  queries = [];
  nowMs = Date.parse('2026-11-12T00:00:00.000Z');
  const query = storage.queryAudit.bind(storage);
  const spied = Object.assign(Object.create(storage) as SqliteStorage, {
    queryAudit: (q: AuditQuery) => {
      queries.push(q);
      return query(q);
    },
  });
  reminders = new EmergencyReminders(spied, () => nowMs);
});
afterEach(() => storage.close());

const documentation = { what: 'Restarted the mail gateway', why: 'Mail queue stuck', result: 'Mail flows again' };
const session = (at: string, ticket: string, mode: 'emergency' | 'attended', tech = 'carol') =>
  a.session({ at, ticket, device: 'SRV-1', tech, mode, scopes: ['view'], decideAfter: 1, outcome: 'accepted', decidedBy: mode === 'emergency' ? 'emergency' : 'user' });
const historyReads = () => queries.filter((q) => q.technicianId !== undefined);

describe('emergency reminders', () => {
  it('a later emergency session shows up, a documented close (by anyone) clears it, and each request reads only what is new', async () => {
    await session('2026-11-12T01:00:00.000Z', 'INC-1', 'attended');
    expect(await reminders.undocumented('carol')).toEqual([]);
    await session('2026-11-12T02:00:00.000Z', 'INC-2', 'emergency');
    await session('2026-11-12T02:30:00.000Z', 'INC-3', 'emergency', 'alice');
    expect(await reminders.undocumented('carol')).toEqual(['INC-2']);
    await a.append('close', '2026-11-12T03:00:00.000Z', { ticketId: 'INC-2', technicianId: 'dave' }, { outcome: 'resolved', documentation });
    expect(await reminders.undocumented('carol')).toEqual([]);
    await session('2026-11-12T04:00:00.000Z', 'INC-2', 'emergency');
    expect(await reminders.undocumented('carol')).toEqual(['INC-2']);
    const [first, ...later] = historyReads();
    expect(first!.fromSeq).toBeUndefined();
    expect(later.map((q) => q.fromSeq)).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
    // Each later read starts past every record the one before it saw.
    const seqs = later.map((q) => q.fromSeq!);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(seqs[0]).toBeGreaterThan(1);
  });

  it('reads the whole history again after REFRESH_MS (pruned records drop out as with a full read)', async () => {
    await session('2026-11-12T02:00:00.000Z', 'INC-7', 'emergency');
    expect(await reminders.undocumented('carol')).toEqual(['INC-7']);
    await storage.pruneAudit('2026-11-12T03:00:00.000Z');
    expect(await reminders.undocumented('carol')).toEqual(['INC-7']);
    nowMs += REFRESH_MS;
    expect(await reminders.undocumented('carol')).toEqual([]);
    expect(historyReads().map((q) => q.fromSeq === undefined)).toEqual([true, false, true]);
  });
});
