// The pure anchor check: which anchors apply to a log, and what a missing or
// different one is called. The end-to-end cases (real agent, real relay, the
// built CLI, the evidence bundle) are in test/relay/audit-anchors.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AnchorFileError, checkAgentAnchors, parseRelayRecordsJsonl, type AgentLogView, type AnchorScope } from '../../src/protocol/audit-anchors.js';

const h = (c: string) => c.repeat(64);
const log: AgentLogView = { hashes: new Map([[3, h('a')], [4, h('b')], [5, h('c')]]), firstSeq: 3, lastSeq: 5 };
const NOW = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
const scope: AnchorScope = { deviceId: 'dev-1', prunableBefore: NOW - 30 * DAY };
const anchor = (seq: number, hash: string, deviceId: string | null = 'dev-1', at = new Date(NOW).toISOString()) => ({ relaySeq: 100 + seq, deviceId, seq, hash, at });

describe('checkAgentAnchors', () => {
  it('passes when every anchor of the device is in the log', () => {
    expect(checkAgentAnchors([anchor(3, h('a')), anchor(5, h('c'))], log, scope)).toEqual({ ok: true, checked: 2, skipped: 0, pruned: 0, problems: [] });
  });

  it('names an anchor past the end of the log as truncated and a different hash as anchor-mismatch', () => {
    const r = checkAgentAnchors([anchor(7, h('d')), anchor(4, h('e'))], log, scope);
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => [p.kind, p.seq])).toEqual([['anchor-mismatch', 4], ['truncated', 7]]);
    expect(r.problems[1]!.reason).toContain('ends at seq 5');
  });

  it('skips anchors of other devices (the device is the relay\'s); checks all when no device is given', () => {
    expect(checkAgentAnchors([anchor(9, h('d'), 'dev-2')], log, scope)).toMatchObject({ ok: true, checked: 0, skipped: 1 });
    expect(checkAgentAnchors([anchor(9, h('d'), 'dev-2')], log, { ...scope, deviceId: null })).toMatchObject({ ok: false, checked: 1 });
  });

  it('an anchor before the log\'s start counts as pruned only when the relay recorded it before the retention floor', () => {
    const old = anchor(1, h('d'), 'dev-1', new Date(NOW - 31 * DAY).toISOString());
    expect(checkAgentAnchors([old], log, scope)).toMatchObject({ ok: true, checked: 0, pruned: 1 });
    // A log that simply starts at a high seq: recent anchors below it are missing, not "pruned".
    const r = checkAgentAnchors([anchor(1, h('d'))], log, scope);
    expect(r).toMatchObject({ ok: false, checked: 1, pruned: 0 });
    expect(r.problems[0]!.reason).toContain('starts at seq 3');
    expect(checkAgentAnchors([{ ...old, at: undefined }], log, scope)).toMatchObject({ ok: false, checked: 1 });
  });

  it('an empty log against any anchor is truncated', () => {
    expect(checkAgentAnchors([anchor(1, h('a'))], { hashes: new Map(), firstSeq: 1, lastSeq: 0 }, scope).problems).toEqual([expect.objectContaining({ kind: 'truncated', seq: 1 })]);
  });
});

describe('parseRelayRecordsJsonl', () => {
  it('reads the anchors of central audit records and ignores records without one', () => {
    const lines = [
      { seq: 10, kind: 'request', deviceId: 'dev-1', data: {} },
      { seq: 11, kind: 'decision', deviceId: 'dev-1', data: { outcome: 'accepted', agentAudit: { seq: 4, hash: h('b') } } },
    ];
    expect(parseRelayRecordsJsonl(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n\n`)).toEqual([{ relaySeq: 11, deviceId: 'dev-1', seq: 4, hash: h('b') }]);
  });

  it('refuses a line that is not a record, naming it', () => {
    expect(() => parseRelayRecordsJsonl('{"seq":1,"deviceId":null,"data":{}}\nnope')).toThrow(/line 2 is not valid JSON/);
    expect(() => parseRelayRecordsJsonl('{"seq":1,"deviceId":null,"data":{"agentAudit":{"seq":0,"hash":"x"}}}')).toThrow(AnchorFileError);
  });

  it('never throws anything but AnchorFileError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.jsonValue()).map((a) => a.map((v) => JSON.stringify(v)).join('\n'))), (text) => {
        try {
          parseRelayRecordsJsonl(text);
        } catch (err) {
          expect(err).toBeInstanceOf(AnchorFileError);
        }
      }),
    );
  });
});
