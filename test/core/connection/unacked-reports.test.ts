// The reports the agent holds until the relay says it recorded them: kept in
// order, bounded, persisted in the data dir, and a bad file starts empty.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_UNACKED_REPORTS, UnackedReports } from '../../../src/core/connection/unacked-reports.js';
import type { LateReport } from '../../../src/protocol/index.js';

const end = (seq: number): LateReport => ({ v: 1, type: 'session.end', id: `m-${seq}`, sessionId: 'ses-1', by: 'relay-lost', audit: { seq, hash: 'a'.repeat(64) } });

describe('unacknowledged reports', () => {
  it('keeps them in agent seq order across a restart, and forgets what the relay named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-unacked-'));
    const a = UnackedReports.open(dir);
    a.add(end(3));
    a.add(end(1));
    a.add(end(2));
    a.acknowledged('m-2');
    expect(UnackedReports.open(dir).all().map((r) => r.id)).toEqual(['m-1', 'm-3']);
  });

  it('sends one back at once on unknown-session and drops one the relay refused for any other reason', () => {
    const a = UnackedReports.open(undefined);
    a.add(end(1));
    a.add(end(2));
    expect(a.refused('m-1', 'unknown-session')?.id).toBe('m-1');
    expect(a.refused('m-2', 'bad-signature')).toBeUndefined();
    expect(a.all().map((r) => r.id)).toEqual(['m-1']);
  });

  it(`holds at most ${MAX_UNACKED_REPORTS}: past it the oldest go, and the file stays within the bound`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-unacked-'));
    const a = UnackedReports.open(dir);
    for (let seq = 1; seq <= MAX_UNACKED_REPORTS + 50; seq++) a.add(end(seq));
    expect(a.size).toBe(MAX_UNACKED_REPORTS);
    expect(a.dropped).toBe(50);
    expect(a.all()[0]!.id).toBe('m-51');
    expect(UnackedReports.open(dir).size).toBe(MAX_UNACKED_REPORTS);
  });

  it('starts empty from a file that is not its own, and skips entries that are not reports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-unacked-'));
    const file = join(dir, 'unacked-reports.json');
    writeFileSync(file, '{not json');
    expect(UnackedReports.open(dir).size).toBe(0);
    writeFileSync(file, JSON.stringify({ v: 1, reports: [end(1), { type: 'session.end', id: 'x' }, { ...end(2), audit: undefined }] }));
    expect(UnackedReports.open(dir).all().map((r) => r.id)).toEqual(['m-1']);
    UnackedReports.open(dir).acknowledged('m-1');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ v: 1, reports: [] });
  });
});
