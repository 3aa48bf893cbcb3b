// Evidence bundles: built from a relay data dir with a scripted month, checked
// offline; every kind of tampering is named by seq and reason.
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { capture } from '../cli/capture.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { AuditLog } from '../../src/core/audit/audit-log.js';
import { systemClock } from '../../src/shared/clock.js';
import { generateEd25519KeyPair, keyFingerprint } from '../../src/protocol/signing.js';
import { auditBodyHash, auditLinkHash, auditRecordHash } from '../../src/relay/audit/audit-record.js';
import { signAuditCheckpoint } from '../../src/relay/audit/checkpoint.js';
import { buildEvidenceBundle } from '../../src/relay/evidence/build-bundle.js';
import type { EvidenceBundle } from '../../src/relay/evidence/bundle-schema.js';
import { verifyEvidenceBundle, type VerifyProblem } from '../../src/relay/evidence/verify-bundle.js';
import { openRelayData, type RelayData } from '../../src/relay/relay-data.js';
import { AuditScript } from './audit-script.js';
import { scriptNovember } from './scripted-month.js';

let dir: string;
let relayDir: string;
let agentDir: string;
let data: RelayData;
let bundle: EvidenceBundle;

const copy = (): EvidenceBundle => structuredClone(bundle);
const problemsOf = (b: unknown, pin?: string): VerifyProblem[] => verifyEvidenceBundle(b, pin).problems;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'porchlight-evidence-'));
  relayDir = join(dir, 'relay');
  agentDir = join(dir, 'agent');
  data = openRelayData(relayDir, {});
  await scriptNovember(data.storage);
  // The agent's own log of INC-100, with records of another ticket in between.
  const log = await AuditLog.open({ dir: agentDir, clock: systemClock });
  await log.append('request.received', { requestId: 'req-2', ticketId: 'INC-100', technicianId: 'alice' });
  await log.append('request.received', { requestId: 'req-3', ticketId: 'INC-090', technicianId: 'bob' });
  await log.append('consent.decision', { requestId: 'req-2', ticketId: 'INC-100', outcome: 'accepted' });
  await log.close();
  bundle = await buildEvidenceBundle({ storage: data.storage, relayKey: data.relayKey, ticketId: 'INC-100', nowMs: Date.parse('2026-12-02T08:00:00.000Z'), generator: 'test' });
});
afterAll(async () => {
  await data.storage.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('evidence bundle', () => {
  it('holds every record of the ticket and proves them against a checkpoint the relay key signed', () => {
    expect(bundle.relay.records.map((r) => (r as { ticketId: string }).ticketId)).toEqual(new Array(bundle.relay.records.length).fill('INC-100'));
    expect(bundle.relay.records.length).toBe(9); // October: request, decision, start, end; November: the same and the close
    expect(bundle.relay.fingerprint).toBe(keyFingerprint(data.relayKey.publicKey));
    expect(bundle.relay.checkpoint.seq).toBe(bundle.relay.chain.at(-1)!.seq);
    expect(bundle.sessions).toHaveLength(2);
    expect(verifyEvidenceBundle(bundle, data.relayKey.publicKey)).toMatchObject({ ok: true, problems: [], records: 9 });
  });

  it('carries other tickets\' records in between as links only, never their content', () => {
    const text = JSON.stringify(bundle);
    expect(bundle.relay.chain.length).toBeGreaterThan(bundle.relay.records.length);
    for (const other of ['INC-090', 'INC-099', 'INC-101', 'LAPTOP-2', 'Bob Okafor', 'patch.msi']) expect(text).not.toContain(other);
  });

  it('names an edited record by seq', () => {
    const b = copy();
    const rec = b.relay.records[0] as { seq: number; data: { reason: string } };
    rec.data.reason = 'Routine check';
    expect(problemsOf(b)).toEqual([{ part: 'relay', seq: rec.seq, reason: expect.stringContaining('edited') }]);
  });

  it('catches an edited record even when the editor rebuilt every hash after it', () => {
    const b = copy();
    const rec = b.relay.records[1] as { seq: number; at: string; prevHash: string; hash: string } & Record<string, unknown>;
    rec.at = '2026-10-20T09:00:01.000Z';
    let prev: string | undefined;
    for (const link of b.relay.chain) {
      if (link.seq < rec.seq) continue;
      if (prev) link.prevHash = prev;
      if (link.seq === rec.seq) link.bodyHash = auditBodyHash(rec as never);
      link.hash = auditLinkHash(link.seq, link.prevHash, link.ticketTag, link.bodyHash);
      const disclosed = b.relay.records.find((r) => (r as { seq: number }).seq === link.seq) as { prevHash: string; hash: string } | undefined;
      if (disclosed) Object.assign(disclosed, { prevHash: link.prevHash, hash: link.hash });
      prev = link.hash;
    }
    const problems = problemsOf(b);
    expect(problems).toContainEqual({ part: 'relay', seq: b.relay.chain.at(-1)!.seq, reason: expect.stringContaining('does not end at the signed checkpoint') });
  });

  it('names a record removed from the bundle (its link still carries the ticket tag)', () => {
    const b = copy();
    const [removed] = b.relay.records.splice(4, 1) as Array<{ seq: number }>;
    expect(problemsOf(b)).toContainEqual({ part: 'relay', seq: removed!.seq, reason: expect.stringContaining('removed') });
  });

  it('names a record removed together with its link', () => {
    const b = copy();
    const [removed] = b.relay.records.splice(4, 1) as Array<{ seq: number }>;
    b.relay.chain = b.relay.chain.filter((l) => l.seq !== removed!.seq);
    expect(problemsOf(b)).toContainEqual({ part: 'relay', seq: removed!.seq + 1, reason: `links ${removed!.seq}..${removed!.seq} are missing from the chain (removed)` });
  });

  it('refuses a bundle signed by another key when the relay key is pinned', () => {
    // A forger rebuilds everything under their own key: it verifies only if nobody pins the real key.
    const forger = generateEd25519KeyPair();
    const b = copy();
    (b.relay.records[0] as { data: { reason: string } }).data.reason = 'Forged reason';
    let prev: string | undefined;
    for (const link of b.relay.chain) {
      if (prev) link.prevHash = prev;
      const disclosed = b.relay.records.find((r) => (r as { seq: number }).seq === link.seq) as ({ prevHash: string; hash: string } & Record<string, unknown>) | undefined;
      if (disclosed) {
        disclosed.prevHash = link.prevHash;
        link.bodyHash = auditBodyHash(disclosed as never);
        disclosed.hash = auditRecordHash(disclosed as never);
      }
      link.hash = auditLinkHash(link.seq, link.prevHash, link.ticketTag, link.bodyHash);
      prev = link.hash;
    }
    b.relay.checkpoint = signAuditCheckpoint({ seq: b.relay.checkpoint.seq, hash: prev! }, b.relay.checkpoint.at, forger);
    b.relay.publicKey = forger.publicKey;
    b.relay.fingerprint = keyFingerprint(forger.publicKey);
    expect(verifyEvidenceBundle(b).ok).toBe(true);
    expect(problemsOf(b, data.relayKey.publicKey)).toEqual([{ part: 'relay', seq: b.relay.checkpoint.seq, reason: expect.stringContaining('not by the pinned key') }]);
    expect(problemsOf(b, keyFingerprint(data.relayKey.publicKey))).toHaveLength(1);
  });

  it('refuses a checkpoint whose signature does not verify', () => {
    const b = copy();
    b.relay.checkpoint.at = '2026-12-24T00:00:00.000Z';
    expect(problemsOf(b)).toEqual([{ part: 'relay', seq: b.relay.checkpoint.seq, reason: expect.stringContaining('signature does not verify') }]);
  });

  it('recomputes session summaries and file-transfer hashes from the proven records', () => {
    const b = copy();
    (b.sessions[0] as { outcome: string }).outcome = 'declined';
    expect(problemsOf(b)).toEqual([{ part: 'bundle', seq: null, reason: 'the session summaries do not match the records' }]);
  });

  it('says whether the emergency sessions were documented, and catches an edited status', async () => {
    expect(bundle.documentation).toEqual({ status: 'not-required', emergencySessions: [] });
    // INC-104: carol's emergency session, closed 'escalated' without what / why / result.
    const emergency = await buildEvidenceBundle({ storage: data.storage, relayKey: data.relayKey, ticketId: 'INC-104', nowMs: Date.parse('2026-12-02T08:00:00.000Z'), generator: 'test' });
    expect(emergency.documentation).toMatchObject({ status: 'emergency-without-documentation', emergencySessions: [{ documentedAt: null }] });
    expect(problemsOf(emergency)).toEqual([]);
    const edited = structuredClone(emergency);
    edited.documentation!.status = 'documented';
    expect(problemsOf(edited)).toEqual([{ part: 'bundle', seq: null, reason: 'the documentation status does not match the records' }]);
  });

  it('names the record when any timestamp is moved (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 86_400_000 }), (i, shift) => {
        const b = copy();
        const rec = b.relay.records[i] as { seq: number; at: string };
        rec.at = new Date(Date.parse(rec.at) + shift).toISOString();
        const problems = problemsOf(b);
        expect(problems[0]).toEqual({ part: 'relay', seq: rec.seq, reason: expect.stringContaining('edited') });
      }),
      { seed: 5, numRuns: 25 },
    );
  });

  it('says what is wrong with a file that is not a bundle', () => {
    expect(problemsOf({ format: 'porchlight-evidence', version: 2 })[0]).toMatchObject({ part: 'bundle', seq: null });
    expect(problemsOf('nope')[0]!.reason).toContain('not a version 1 evidence bundle');
  });

  it('reuses the oldest checkpoint that covers the ticket instead of signing a new one', async () => {
    const a = new AuditScript(data.storage);
    await a.close('2026-12-03T10:00:00.000Z', 'INC-200', 'alice', 'resolved');
    const again = await buildEvidenceBundle({ storage: data.storage, relayKey: data.relayKey, ticketId: 'INC-100', nowMs: Date.now(), generator: 'test' });
    expect(again.relay.checkpoint).toEqual(bundle.relay.checkpoint);
  });
});

describe('agent records against the relay\'s', () => {
  const agentLog = async (name: string, records: Array<[string, Record<string, unknown>]>) => {
    const log = await AuditLog.open({ dir: join(dir, name), clock: systemClock });
    for (const [type, fields] of records) await log.append(type, fields);
    await log.close();
    const check = (await import('../../src/core/audit/verify.js')).verifyAuditLog(join(dir, name));
    const { recordsForTicket } = await import('../../src/core/audit/export.js');
    return { chain: { files: check.files, records: check.records, lastSeq: check.lastSeq, lastHash: check.lastHash }, records: recordsForTicket(join(dir, name), String(records[0]![1].ticketId)) };
  };

  it('names an agent decision that disagrees with the relay\'s', async () => {
    const agent = await agentLog('agent-disagrees', [['consent.decision', { requestId: 'req-2', ticketId: 'INC-100', outcome: 'declined' }]]);
    const b = await buildEvidenceBundle({ storage: data.storage, relayKey: data.relayKey, ticketId: 'INC-100', nowMs: Date.now(), generator: 'test', agent });
    expect(problemsOf(b)).toEqual([{ part: 'agent', seq: 1, reason: 'the agent recorded declined for request req-2; the relay recorded accepted' }]);
  });

  it('names a file whose hash differs between the agent and the relay (chain of custody)', async () => {
    const agent = await agentLog('agent-file', [['file.transfer', { ticketId: 'INC-101', sessionId: 'ses-5', transferId: 'ft-5-0', name: 'patch.msi', size: 1000, sha256: 'b'.repeat(64), allowed: true }]]);
    const b = await buildEvidenceBundle({ storage: data.storage, relayKey: data.relayKey, ticketId: 'INC-101', nowMs: Date.now(), generator: 'test', agent });
    expect(b.fileTransfers).toEqual([expect.objectContaining({ transferId: 'ft-5-0', name: 'patch.msi', allowed: true })]);
    expect(problemsOf(b)).toEqual([{ part: 'agent', seq: 1, reason: `file ft-5-0: the agent recorded sha256 ${'b'.repeat(64)}; the relay recorded ${b.fileTransfers[0]!.sha256}` }]);
  });
});

describe('building from a tampered relay database', () => {
  it('refuses, naming the seq, instead of writing a bundle that would not verify', async () => {
    const other = openRelayData(join(dir, 'relay-tampered'), {});
    await scriptNovember(other.storage);
    await other.storage.close();
    const db = new DatabaseSync(join(dir, 'relay-tampered', 'relay.db'));
    const row = db.prepare("SELECT seq FROM audit WHERE ticket_id = 'INC-100' AND kind = 'decision' ORDER BY seq DESC LIMIT 1").get() as { seq: number };
    db.prepare("UPDATE audit SET record = replace(record, '\"outcome\":\"accepted\"', '\"outcome\":\"declined\"') WHERE seq = ?").run(row.seq);
    db.close();
    const reopened = openRelayData(join(dir, 'relay-tampered'), {});
    try {
      await expect(buildEvidenceBundle({ storage: reopened.storage, relayKey: reopened.relayKey, ticketId: 'INC-100', nowMs: Date.now(), generator: 'test' })).rejects.toMatchObject({
        code: 'relay-chain-broken',
        message: expect.stringContaining(`seq ${row.seq} (hash-mismatch)`),
      });
    } finally {
      await reopened.storage.close();
    }
  });
});

describe('porchlight evidence', () => {
  it('does not count a request that never became a session as a session', async () => {
    // INC-106: one request that ended no-user-present; INC-105: one declined, one expired.
    for (const [ticket, summary] of [['INC-106', '1 request(s), 0 became a session'], ['INC-105', '2 request(s), 0 became a session']] as const) {
      const c = capture();
      expect(await main(['evidence', '--ticket', ticket, '--out', join(dir, `${ticket}.json`), '--data', relayDir], c.ctx)).toBe(0);
      expect(c.text().stdout).toContain(summary);
      expect(c.text().stdout).not.toMatch(/\d+ session\(s\)/);
    }
  });

  it('says so when the ticket has an emergency session without documentation', async () => {
    const c = capture();
    expect(await main(['evidence', '--ticket', 'INC-104', '--out', join(dir, 'INC-104.json'), '--data', relayDir], c.ctx)).toBe(0);
    expect(c.text().stdout).toContain('emergency without documentation: close the ticket with session close --what --why --result');
    const d = capture();
    expect(await main(['evidence', '--ticket', 'INC-103', '--out', join(dir, 'INC-103.json'), '--data', relayDir], d.ctx)).toBe(0);
    expect(d.text().stdout).not.toContain('emergency without documentation');
  });

  it('writes a bundle with the agent\'s records and verifies it offline', async () => {
    const out = join(dir, 'INC-100.json');
    const c = capture();
    expect(await main(['evidence', '--ticket', 'INC-100', '--out', out, '--data', relayDir, '--agent-log', agentDir], c.ctx)).toBe(0);
    expect(c.text().stdout).toContain('2 agent records');
    expect(c.text().stdout).toContain('9 relay records, 2 request(s), 2 became a session, 0 file transfer(s)');
    const written = JSON.parse(readFileSync(out, 'utf8')) as EvidenceBundle;
    expect(written.agent?.records.map((r) => (r as { type: string }).type)).toEqual(['request.received', 'consent.decision']);

    const v = capture();
    expect(await main(['evidence', 'verify', out, '--relay-key', data.relayKey.publicKey], v.ctx)).toBe(0);
    expect(v.text().stdout).toMatch(/^VERIFIED: ticket INC-100: 9 relay records .* \(pinned\); 2 agent records intact/);

    (written.agent!.records[1] as { outcome: string }).outcome = 'declined';
    const edited = join(dir, 'INC-100-edited.json');
    writeFileSync(edited, JSON.stringify(written));
    const bad = capture();
    expect(await main(['evidence', 'verify', edited], bad.ctx)).toBe(1);
    expect(bad.text().stderr).toContain('agent seq 3: record content does not match its hash (edited)');
  });

  it('names the relay record that does not match and exits 1; a wrong pinned key fails too', async () => {
    const file = join(dir, 'edited.json');
    const b = copy();
    (b.relay.records[2] as { data: { scopes: string[] } }).data.scopes = ['view'];
    writeFileSync(file, JSON.stringify(b));
    const c = capture();
    expect(await main(['evidence', 'verify', file], c.ctx)).toBe(1);
    expect(c.text().stderr).toMatch(new RegExp(`NOT VERIFIED: 1 problem\\(s\\)\\n  relay seq ${(b.relay.records[2] as { seq: number }).seq}: record content does not match`));

    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(bundle));
    const w = capture();
    expect(await main(['evidence', 'verify', good, '--relay-key', generateEd25519KeyPair().publicKey], w.ctx)).toBe(1);
    expect(w.text().stderr).toContain('not by the pinned key');
  });

  it('refuses to build from a tampered agent log, and never overwrites a file', async () => {
    const tampered = join(dir, 'agent-bad');
    const log = await AuditLog.open({ dir: tampered, clock: systemClock });
    await log.append('decision', { requestId: 'req-2', ticketId: 'INC-100', outcome: 'accepted' });
    await log.close();
    const file = join(tampered, (await import('node:fs')).readdirSync(tampered)[0]!);
    writeFileSync(file, readFileSync(file, 'utf8').replace('accepted', 'declined'));
    const c = capture();
    expect(await main(['evidence', '--ticket', 'INC-100', '--out', join(dir, 'x.json'), '--data', relayDir, '--agent-log', tampered], c.ctx)).toBe(1);
    expect(c.text().stderr).toContain('agent-log-tampered');

    const again = capture();
    expect(await main(['evidence', '--ticket', 'INC-100', '--out', join(dir, 'INC-100.json'), '--data', relayDir], again.ctx)).toBe(2);
    expect(again.text().stderr).toContain('never overwritten');
  });

  it('says so when the ticket has no records, and will not create a relay in an empty dir', async () => {
    const c = capture();
    expect(await main(['evidence', '--ticket', 'INC-404', '--out', join(dir, 'none.json'), '--data', relayDir], c.ctx)).toBe(1);
    expect(c.text().stderr).toContain('no-records');
    const e = capture();
    expect(await main(['evidence', '--ticket', 'INC-100', '--out', join(dir, 'none.json'), '--data', join(dir, 'empty')], e.ctx)).toBe(2);
    expect(e.text().stderr).toContain('not a relay data dir');
    const a = capture();
    expect(await main(['evidence', '--ticket', 'INC-100', '--out', join(dir, 'none.json'), '--data', relayDir, '--agent-log', join(dir, 'no-agent-here')], a.ctx)).toBe(2);
    expect(a.text().stderr).toContain('holds no agent audit files');
  });
});
