// The agent's audit log checked against the anchors the relay keeps. A hash
// chain can't prove its own tail: whole records cut from the end leave a log
// that verifies. The agent sends the seq and hash of the record behind each
// report to the relay, which writes them into its central audit; every anchor
// the relay holds for this device must still be in the agent log, unchanged.
// Pure: `audit verify --anchors` and evidence bundle verification share it.
import { z } from 'zod';
import { auditAnchor, identifier, isoTimestamp } from './primitives.js';

/** The agent never prunes audit records younger than this (its retention has this floor). */
export const MIN_AGENT_RETENTION_DAYS = 30;

/** One anchor: the agent record (seq, hash) the relay recorded in its record `relaySeq`. */
export interface RelayAnchor {
  relaySeq: number;
  deviceId: string | null;
  seq: number;
  hash: string;
  /** When the relay recorded it (its record's `at`), if known. */
  at?: string;
}

/** What is known of the agent log: the records at hand and the verified extent of the chain. */
export interface AgentLogView {
  hashes: ReadonlyMap<number, string>;
  /** First and last seq of the verified chain (earlier ones were pruned by retention). */
  firstSeq: number;
  lastSeq: number;
}

/**
 * Which anchors apply, decided from the relay's side only: data in the checked
 * log or bundle must never be able to switch the check off.
 */
export interface AnchorScope {
  /** The device whose log this is (from the relay records); anchors of other devices are skipped. null: all apply. */
  deviceId: string | null;
  /** An anchor below the log's first seq counts as pruned by retention only if the relay recorded it before this (ms); otherwise it is missing. */
  prunableBefore: number;
}

export type AnchorProblemKind = 'truncated' | 'anchor-mismatch';

export interface AnchorProblem {
  kind: AnchorProblemKind;
  /** The agent record's seq the relay holds. */
  seq: number;
  relaySeq: number;
  reason: string;
}

export interface AnchorCheck {
  ok: boolean;
  checked: number;
  /** Anchors of other devices. */
  skipped: number;
  /** Anchors older than the log's start, recorded long enough ago to have been pruned by retention. */
  pruned: number;
  problems: AnchorProblem[];
}

export function checkAgentAnchors(anchors: Iterable<RelayAnchor>, log: AgentLogView, scope: AnchorScope): AnchorCheck {
  const problems: AnchorProblem[] = [];
  let checked = 0;
  let skipped = 0;
  let pruned = 0;
  for (const a of anchors) {
    if (scope.deviceId !== null && a.deviceId !== null && a.deviceId !== scope.deviceId) {
      skipped++;
      continue;
    }
    const at = `relay record #${a.relaySeq}`;
    if (a.seq < log.firstSeq) {
      const recordedAt = a.at === undefined ? Number.NaN : Date.parse(a.at);
      if (recordedAt < scope.prunableBefore) {
        pruned++;
        continue;
      }
      checked++;
      problems.push({ kind: 'anchor-mismatch', seq: a.seq, relaySeq: a.relaySeq, reason: `the relay holds agent record seq ${a.seq} (${at}${a.at ? `, ${a.at}` : ''}) but the agent log starts at seq ${log.firstSeq}, and that record is too recent to have been pruned by retention` });
      continue;
    }
    checked++;
    if (a.seq > log.lastSeq) {
      problems.push({ kind: 'truncated', seq: a.seq, relaySeq: a.relaySeq, reason: `the relay holds agent record seq ${a.seq} (${at}) but the agent log ends at seq ${log.lastSeq}: records were cut from its end` });
      continue;
    }
    const hash = log.hashes.get(a.seq);
    if (hash === undefined) problems.push({ kind: 'anchor-mismatch', seq: a.seq, relaySeq: a.relaySeq, reason: `the relay holds agent record seq ${a.seq} (${at}) but it is not among the agent records` });
    else if (hash !== a.hash) problems.push({ kind: 'anchor-mismatch', seq: a.seq, relaySeq: a.relaySeq, reason: `agent record seq ${a.seq} has hash ${hash.slice(0, 12)}, the relay holds ${a.hash.slice(0, 12)} (${at}): the log was rewritten` });
  }
  problems.sort((x, y) => x.seq - y.seq);
  return { ok: problems.length === 0, checked, skipped, pruned, problems };
}

/** The anchors in central audit records (as `relay audit --format jsonl` prints them, or a bundle holds them). */
export function anchorsOfRelayRecords(records: readonly unknown[]): RelayAnchor[] {
  const out: RelayAnchor[] = [];
  for (const raw of records) {
    const r = relayRecordAnchorSchema.safeParse(raw);
    if (r.success && r.data.data.agentAudit) out.push({ relaySeq: r.data.seq, deviceId: r.data.deviceId, ...r.data.data.agentAudit, ...(r.data.at !== undefined ? { at: r.data.at } : {}) });
  }
  return out;
}

const relayRecordAnchorSchema = z.looseObject({
  seq: z.number().int().min(1),
  deviceId: identifier.nullable(),
  at: isoTimestamp.optional(),
  data: z.looseObject({ agentAudit: auditAnchor.optional() }),
});

export class AnchorFileError extends Error {
  readonly code = 'anchors-unreadable';
}

/** Parse a JSONL of central audit records; a line that is not one is an error naming the line. */
export function parseRelayRecordsJsonl(text: string): RelayAnchor[] {
  const records: unknown[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      throw new AnchorFileError(`line ${i + 1} is not valid JSON`);
    }
    if (!relayRecordAnchorSchema.safeParse(data).success) throw new AnchorFileError(`line ${i + 1} is not a central audit record (relay audit --format jsonl)`);
    records.push(data);
  }
  return anchorsOfRelayRecords(records);
}

/** The devices the relay's anchors name (the relay records carry the device the agent authenticated as). */
export function anchoredDeviceIds(anchors: Iterable<RelayAnchor>): string[] {
  const ids = new Set<string>();
  for (const a of anchors) if (a.deviceId !== null) ids.add(a.deviceId);
  return [...ids].sort();
}

export function describeAnchorProblem(p: AnchorProblem): string {
  return `seq ${p.seq}: ${p.kind}: ${p.reason}`;
}

/** The devices an agent log names in its agent.started records (informational only: never scopes the check). */
export function deviceIdsOf(records: Iterable<{ type: string } & Record<string, unknown>>): string[] {
  const ids = new Set<string>();
  for (const r of records) if (r.type === 'agent.started' && typeof r.deviceId === 'string') ids.add(r.deviceId);
  return [...ids];
}
