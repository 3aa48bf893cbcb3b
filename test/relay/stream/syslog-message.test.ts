// The RFC 5424 form of a central audit record: SD-PARAM escaping that any
// string survives, octet counting in bytes, header fields kept in their
// alphabet, the 64 KiB cap, and no approval token on the stream.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AuditRecord } from '../../../src/relay/audit/audit-record.js';
import { escapeParamValue, MAX_SYSLOG_MESSAGE_BYTES, octetCounted, SD_ID, syslogGapMessage, syslogMessage } from '../../../src/relay/stream/syslog-message.js';

const origin = { hostname: 'relay-1', procId: '4242' };

function record(kind: string, data: unknown, extra: Partial<AuditRecord> = {}): AuditRecord {
  return {
    seq: 7,
    at: '2026-12-04T18:00:00.123Z',
    kind,
    ticketId: 'INC-1',
    deviceId: 'dev-1',
    technicianId: 'alice',
    requestId: null,
    sessionId: null,
    data,
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
    ...extra,
  } as AuditRecord;
}

/** RFC 5424 PARAM-VALUE as a receiver reads it: a backslash takes the next '"', '\' or ']' literally. */
function unescapeParamValue(v: string): string {
  return v.replace(/\\(["\\\]])/g, '$1');
}

/** The SD element's params, read with the RFC's grammar (values end at the first unescaped quote). */
function params(msg: string): Record<string, string> {
  const start = msg.indexOf(`[${SD_ID}`);
  const out: Record<string, string> = {};
  const re = / ([^= \]"]{1,32})="((?:[^"\\]|\\.)*)"/y;
  let pos = start + SD_ID.length + 1;
  re.lastIndex = pos;
  for (let m = re.exec(msg); m; m = re.exec(msg)) {
    out[m[1]!] = unescapeParamValue(m[2]!);
    pos = re.lastIndex;
  }
  expect(msg[pos]).toBe(']');
  return out;
}

describe('syslog message', () => {
  it('escapes any SD-PARAM value so a receiver reads back the same string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const escaped = escapeParamValue(value);
        expect(escaped).not.toMatch(/(^|[^\\])(\\\\)*["\]]/);
        expect(unescapeParamValue(escaped)).toBe(value);
      }),
    );
  });

  it('frames with the length in bytes, for any text (RFC 6587 octet counting)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const frame = octetCounted(text);
        const space = frame.indexOf(0x20);
        expect(Number(frame.subarray(0, space).toString('ascii'))).toBe(frame.length - space - 1);
        expect(frame.subarray(space + 1).toString('utf8')).toBe(Buffer.from(text, 'utf8').toString('utf8'));
      }),
    );
  });

  it('is <PRI>1 TIMESTAMP HOST porchlight PROCID MSGID [SD] BOM JSON, with hostile text only inside the escaped values', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (by, target) => {
        const r = record('admin', { action: 'technician-disabled', by, target });
        const msg = syslogMessage(r, { hostname: 'relay 1\n', procId: '' });
        expect(msg.startsWith(`<109>1 2026-12-04T18:00:00.123Z relay_1_ porchlight - admin [${SD_ID} `)).toBe(true);
        const p = params(msg);
        expect(p).toMatchObject({ seq: '7', hash: r.hash, prevHash: r.prevHash, ticket: 'INC-1', device: 'dev-1', technician: 'alice', 'd.action': 'technician-disabled' });
        if (by.length <= 200) expect(p['d.by']).toBe(by);
        expect(JSON.parse(msg.slice(msg.indexOf('\ufeff') + 1))).toEqual(r);
      }),
      { numRuns: 200 },
    );
  });

  it('sets severity by what happened: warning for failed sign-ins, notice for changes, info for the rest', () => {
    expect(syslogMessage(record('technician-sign-in-failed', { reason: 'unknown-token' }), origin)).toMatch(/^<108>1 /);
    expect(syslogMessage(record('admin', { action: 'technician-added', by: 'root', target: 'x' }), origin)).toMatch(/^<109>1 /);
    expect(syslogMessage(record('technician-sign-in', { mfa: false }), origin)).toMatch(/^<110>1 /);
  });

  it('never carries the approval token; the approval it stood for stays', () => {
    const r = record('request', { approval: { kind: 'manager', approver: 'Mia', reference: 'CHG-9', expiresAt: '2026-12-05T00:00:00.000Z', token: 'SECRET-APPROVAL-TOKEN' }, scopes: ['view'] });
    const msg = syslogMessage(r, origin);
    expect(msg).not.toContain('SECRET-APPROVAL-TOKEN');
    expect(JSON.parse(msg.slice(msg.indexOf('\ufeff') + 1)).data.approval).toEqual({ kind: 'manager', approver: 'Mia', reference: 'CHG-9', expiresAt: '2026-12-05T00:00:00.000Z' });
  });

  it('cuts a record past 64 KiB to its envelope, marked truncated', () => {
    const msg = syslogMessage(record('narration', { text: 'x'.repeat(MAX_SYSLOG_MESSAGE_BYTES) }), origin);
    expect(Buffer.byteLength(msg)).toBeLessThanOrEqual(MAX_SYSLOG_MESSAGE_BYTES);
    expect(params(msg)).toMatchObject({ seq: '7', hash: 'b'.repeat(64), truncated: 'true' });
    expect(JSON.parse(msg.slice(msg.indexOf('\ufeff') + 1))).toMatchObject({ seq: 7, kind: 'narration', truncated: true });
  });

  it('says on the stream itself when records were removed before they were sent', () => {
    const msg = syslogGapMessage(3, 9, '2026-12-04T18:00:00.000Z', origin);
    expect(msg).toMatch(/^<108>1 2026-12-04T18:00:00.000Z relay-1 porchlight 4242 stream-gap /);
    expect(params(msg)).toEqual({ firstSeq: '3', lastSeq: '9', count: '7' });
  });
});
