// The pure anchor check: which anchors apply to a log, and what a missing or
// different one is called. The end-to-end cases (real agent, real relay, the
// built CLI, the evidence bundle) are in test/relay/audit-anchors.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AnchorFileError, checkAgentAnchors, parseRelayRecordsJsonl, type AgentLogView } from '../../../src/core/audit/anchors.js';

const h = (c: string) => c.repeat(64);
const log: AgentLogView = { hashes: new Map([[3, h('a')], [4, h('b')], [5, h('c')]]), firstSeq: 3, lastSeq: 5, deviceIds: ['dev-1'] };
const anchor = (seq: number, hash: string, deviceId: string | null = 'dev-1') => ({ relaySeq: 100 + seq, deviceId, seq, hash });

describe('checkAgentAnchors', () => {
  it('passes when every anchor of the device is in the log', () => {
    expect(checkAgentAnchors([anchor(3, h('a')), anchor(5, h('c'))], log)).toEqual({ ok: true, checked: 2, skipped: 0, problems: [] });
  });

  it('names an anchor past the end of the log as truncated and a different hash as anchor-mismatch', () => {
    const r = checkAgentAnchors([anchor(7, h('d')), anchor(4, h('e'))], log);
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => [p.kind, p.seq])).toEqual([['anchor-mismatch', 4], ['truncated', 7]]);
    expect(r.problems[1]!.reason).toContain('ends at seq 5');
  });

  it('skips anchors of other devices and those older than the retained start; checks all when the device is unknown', () => {
    expect(checkAgentAnchors([anchor(9, h('d'), 'dev-2'), anchor(1, h('d'))], log)).toMatchObject({ ok: true, checked: 0, skipped: 2 });
    expect(checkAgentAnchors([anchor(9, h('d'), 'dev-2')], { ...log, deviceIds: [] })).toMatchObject({ ok: false, checked: 1 });
  });

  it('an empty log against any anchor is truncated', () => {
    expect(checkAgentAnchors([anchor(1, h('a'))], { hashes: new Map(), firstSeq: 1, lastSeq: 0, deviceIds: [] }).problems).toEqual([expect.objectContaining({ kind: 'truncated', seq: 1 })]);
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
