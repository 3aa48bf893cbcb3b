// The agent's audit head anchored at the relay: after a real session through a
// real relay, the central audit holds the seq and hash of the agent's record
// of each reported event, and an agent log cut short at its end (which its own
// hash chain can't show) fails `audit verify --anchors` and the evidence bundle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listAuditFiles } from '../../src/core/audit/audit-files.js';
import { auditRecordSchema as agentRecordSchema, GENESIS_HASH, sealRecord, type AuditRecord as AgentRecord } from '../../src/protocol/agent-audit-record.js';
import { verifyAuditLog } from '../../src/core/audit/verify.js';
import { auditLine } from '../../src/relay/audit/audit-text.js';
import { agentEvidence } from '../../src/cli/agent-evidence.js';
import { buildEvidenceBundle } from '../../src/relay/evidence/build-bundle.js';
import { verifyEvidenceBundle } from '../../src/relay/evidence/verify-bundle.js';
import { ensureBuilt, runCli } from '../cli/built-cli.js';
import { ANCHOR_TICKET, runAnchoredSession, type AnchoredSession } from './anchored-session.js';

let s: AnchoredSession;
let lines: string[];
let agentRecords: AgentRecord[];
beforeAll(async () => {
  await ensureBuilt();
  s = await runAnchoredSession();
  const files = listAuditFiles(s.auditDir);
  expect(files).toHaveLength(1);
  lines = readFileSync(join(s.auditDir, files[0]!), 'utf8').split('\n').filter((l) => l.length > 0);
  agentRecords = lines.map((l) => agentRecordSchema.parse(JSON.parse(l)));
}, 180_000); // may build the CLI first
afterAll(async () => {
  await s.close();
});

/** A copy of the agent log with `edit` applied to its lines. */
function editedLog(edit: (lines: string[]) => string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'pl-anchor-edited-'));
  writeFileSync(join(dir, listAuditFiles(s.auditDir)[0]!), edit([...lines]).map((l) => `${l}\n`).join(''));
  return dir;
}

const seqOf = (type: string) => agentRecords.find((r) => r.type === type)!.seq;

/** The log re-sealed as a valid chain: each record through `edit`, seqs moved by `seqOffset`, starting from genesis. */
function rechained(edit: (r: AgentRecord) => AgentRecord = (r) => r, seqOffset = 0): string[] {
  let prev = GENESIS_HASH;
  return agentRecords.map((orig) => {
    const { seq, ts, type, prevHash: _p, hash: _h, ...fields } = edit(orig);
    const r = sealRecord(seq + seqOffset, ts, type, fields, prev);
    prev = r.hash;
    return JSON.stringify(r);
  });
}

async function bundleProblems(dir: string, tamper: (bundle: { agent?: Record<string, unknown> }) => void = () => undefined) {
  const check = verifyAuditLog(dir);
  expect(check.ok).toBe(true);
  const bundle = await buildEvidenceBundle({ storage: s.t.storage, relayKey: s.t.relayKey, ticketId: ANCHOR_TICKET, nowMs: Date.now(), generator: 'test', agent: agentEvidence(dir, ANCHOR_TICKET, check) });
  const copy = JSON.parse(JSON.stringify(bundle)) as { agent?: Record<string, unknown> };
  tamper(copy);
  return verifyEvidenceBundle(copy, s.t.relayKey.publicKey);
}

describe('agent audit anchors at the relay', () => {
  it('the central audit keeps the seq and hash of the agent record behind each report', async () => {
    const relay = await s.t.storage.queryAudit({ ticketId: ANCHOR_TICKET });
    const anchored = relay.flatMap((r) => {
      const a = (r.data as { agentAudit?: { seq: number; hash: string } }).agentAudit;
      return a ? [[r.kind, agentRecords.find((x) => x.seq === a.seq && x.hash === a.hash)?.type]] : [];
    });
    expect(anchored).toEqual([
      ['decision', 'consent.decision'],
      ['session-started', 'session.started'],
      ['session-end', 'session.ended'],
      ['session-summary', 'session.summary'],
    ]);
    const summary = relay.find((r) => r.kind === 'session-summary')!;
    expect(auditLine(summary)).toContain(`[agent audit #${seqOf('session.summary')} `);
  });

  it('an intact log verifies against the anchors, on the command line and in the evidence bundle', async () => {
    const r = await runCli(['audit', 'verify', s.auditDir, '--anchors', s.anchorsFile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('anchors: 4 relay anchors of device dev-anchor match');
    expect(await bundleProblems(s.auditDir)).toMatchObject({ ok: true, problems: [] });
  });

  it('whole records cut from the end: the chain alone still verifies, the anchors name the missing seq', async () => {
    // agent.stopped, session.summary, session.ended go; the rest is a valid chain.
    expect(agentRecords.slice(-3).map((r) => r.type)).toEqual(['session.ended', 'session.summary', 'agent.stopped']);
    const dir = editedLog((l) => l.slice(0, -3));
    expect((await runCli(['audit', 'verify', dir])).code).toBe(0);
    const r = await runCli(['audit', 'verify', dir, '--anchors', s.anchorsFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`seq ${seqOf('session.ended')}: truncated`);
    expect(r.stderr).toContain(`seq ${seqOf('session.summary')}: truncated`);
    const report = await bundleProblems(dir);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({ part: 'agent', seq: seqOf('session.ended'), reason: expect.stringMatching(/^truncated: /) }),
      expect.objectContaining({ part: 'agent', seq: seqOf('session.summary'), reason: expect.stringMatching(/^truncated: /) }),
    ]);
  });

  it('the tail cut and rewritten with a valid chain: anchor-mismatch at the rewritten seq', async () => {
    const summarySeq = seqOf('session.summary');
    const dir = editedLog((l) => {
      const kept = l.slice(0, -2);
      const prev = agentRecordSchema.parse(JSON.parse(kept.at(-1)!));
      const forged = sealRecord(summarySeq, prev.ts, 'agent.stopped', { deviceId: 'dev-anchor' }, prev.hash);
      return [...kept, JSON.stringify(forged)];
    });
    const r = await runCli(['audit', 'verify', dir, '--anchors', s.anchorsFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`seq ${summarySeq}: anchor-mismatch`);
    expect((await bundleProblems(dir)).problems).toEqual([expect.objectContaining({ part: 'agent', seq: summarySeq, reason: expect.stringMatching(/^anchor-mismatch: /) })]);
  });

  describe('the checked data cannot switch the check off', () => {
    it('a log re-chained so its agent.started names another device still fails against the relay\'s device', async () => {
      const dir = editedLog(() => rechained((r) => (r.type === 'agent.started' ? ({ ...r, deviceId: 'dev-someone-else' } as AgentRecord) : r)));
      expect((await runCli(['audit', 'verify', dir])).code).toBe(0);
      const r = await runCli(['audit', 'verify', dir, '--anchors', s.anchorsFile]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('anchor-mismatch');
      expect(r.stdout).not.toContain('anchors:');
    });

    it('a log re-chained to start at a high seq: the anchors below it are missing, not "pruned"', async () => {
      const dir = editedLog(() => rechained(undefined, 1000));
      expect((await runCli(['audit', 'verify', dir])).code).toBe(0);
      const r = await runCli(['audit', 'verify', dir, '--anchors', s.anchorsFile]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`seq ${seqOf('session.summary')}: anchor-mismatch`);
      expect(r.stderr).toContain('too recent to have been pruned');
      const report = await bundleProblems(dir);
      expect(report.ok).toBe(false);
      expect(report.problems.filter((p) => p.part === 'agent' && /anchor-mismatch|truncated/.test(p.reason))).toHaveLength(4);
    });

    it('an anchors file of another device: nothing checked is a failure, not a pass', async () => {
      const other = join(mkdtempSync(join(tmpdir(), 'pl-anchor-other-')), 'relay-audit.jsonl');
      writeFileSync(other, readFileSync(s.anchorsFile, 'utf8').replaceAll('"deviceId":"dev-anchor"', '"deviceId":"dev-other"'));
      const r = await runCli(['audit', 'verify', s.auditDir, '--anchors', other, '--device', 'dev-anchor']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('no-anchors-checked');
    });

    it('a bundle edited to deviceIds:["x"] still reports the cut tail', async () => {
      const dir = editedLog((l) => l.slice(0, -3));
      const report = await bundleProblems(dir, (b) => {
        b.agent!.deviceIds = ['x'];
      });
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ part: 'agent', seq: seqOf('session.ended'), reason: expect.stringMatching(/^truncated: /) }),
          expect.objectContaining({ part: 'agent', seq: seqOf('session.summary'), reason: expect.stringMatching(/^truncated: /) }),
        ]),
      );
    });

    it('a rewritten log in a bundle whose agent chain claims to start after the anchors still reports them', async () => {
      const dir = editedLog(() => rechained((r) => (r.type === 'agent.started' ? ({ ...r, deviceId: 'dev-someone-else' } as AgentRecord) : r)));
      const report = await bundleProblems(dir, (b) => {
        (b.agent!.chain as { records: number }).records = 1;
      });
      expect(report.ok).toBe(false);
      expect(report.problems.filter((p) => /^anchor-mismatch: /.test(p.reason)).map((p) => p.seq)).toEqual(['consent.decision', 'session.started', 'session.ended', 'session.summary'].map(seqOf));
    });
  });

  it('an anchors file that is not central audit records is refused with a stable code', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'pl-anchor-bad-')), 'x.jsonl');
    writeFileSync(bad, '{"seq":1}\n');
    const r = await runCli(['audit', 'verify', s.auditDir, '--anchors', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('anchors-unreadable: ');
  });
});
