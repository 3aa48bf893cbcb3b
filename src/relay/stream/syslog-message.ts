// One central audit record as an RFC 5424 syslog message, and RFC 6587
// octet-counting framing for TCP and TLS (RFC 5425 uses the same framing).
//   <PRI>1 TIMESTAMP HOSTNAME porchlight PROCID MSGID [porchlight@32473 ...] BOM{record JSON}
// Facility 13 (log audit); severity notice for account and key changes and
// refusals, warning for failed sign-ins, info for the rest. MSGID is the
// record kind; the SD element carries the envelope (seq, hash, ids) so a SIEM
// can index without parsing the JSON message.
import type { AuditRecord } from '../audit/audit-record.js';
import { streamRecord } from './stream-record.js';

/** The enterprise-number form RFC 5424 asks for in a private SD-ID (7.2.2); 32473 is the documentation PEN (RFC 5612). */
export const SD_ID = 'porchlight@32473';
export const APP_NAME = 'porchlight';
const FACILITY_LOG_AUDIT = 13;
/** A receiver should accept this much (rsyslog: global(maxMessageSize="64k")); past it the JSON message is cut and `truncated="true"` set. */
export const MAX_SYSLOG_MESSAGE_BYTES = 64 * 1024;

const SEVERITY = { warning: 4, notice: 5, info: 6 } as const;

function severityOf(kind: string): number {
  if (kind === 'technician-sign-in-failed') return SEVERITY.warning;
  if (kind === 'admin' || kind === 'rejected' || kind === 'agent-refused' || kind.startsWith('device-rekey')) return SEVERITY.notice;
  return SEVERITY.info;
}

/** RFC 5424 6.3.3: inside PARAM-VALUE, '"', '\' and ']' are escaped with a backslash. */
export function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** Header fields are PRINTUSASCII (33..126) with a length cap; anything else becomes '_' and an empty one '-' (NILVALUE). */
function headerField(value: string, max: number): string {
  const printable = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return printable === '' ? '-' : printable;
}

export interface SyslogOrigin {
  hostname: string;
  procId: string;
}

function structuredData(params: ReadonlyArray<[string, string | number | null]>): string {
  const body = params
    .filter((p): p is [string, string | number] => p[1] !== null)
    .map(([name, value]) => ` ${name}="${escapeParamValue(String(value))}"`)
    .join('');
  return `[${SD_ID}${body}]`;
}

function message(pri: number, at: string, origin: SyslogOrigin, msgId: string, sd: string, json: string): string {
  return `<${pri}>1 ${at} ${headerField(origin.hostname, 255)} ${APP_NAME} ${headerField(origin.procId, 128)} ${headerField(msgId, 32)} ${sd} \ufeff${json}`;
}

/** Small string fields of the record's data go into the SD element too (action, by, target, outcome, code...). */
function scalarData(data: unknown): Array<[string, string]> {
  if (data === null || typeof data !== 'object') return [];
  return Object.entries(data as Record<string, unknown>)
    .filter(([name, v]) => /^[A-Za-z][A-Za-z0-9]{0,31}$/.test(name) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && String(v).length <= 200)
    .map(([name, v]) => [`d.${name}`.slice(0, 32), String(v)]);
}

export function syslogMessage(record: AuditRecord, origin: SyslogOrigin): string {
  const r = streamRecord(record);
  const pri = FACILITY_LOG_AUDIT * 8 + severityOf(r.kind);
  const envelope: Array<[string, string | number | null]> = [
    ['seq', r.seq],
    ['hash', r.hash],
    ['prevHash', r.prevHash],
    ['ticket', r.ticketId],
    ['device', r.deviceId],
    ['technician', r.technicianId],
    ['request', r.requestId],
    ['session', r.sessionId],
    ...scalarData(r.data),
  ];
  const full = message(pri, r.at, origin, r.kind, structuredData(envelope), JSON.stringify(r));
  if (Buffer.byteLength(full) <= MAX_SYSLOG_MESSAGE_BYTES) return full;
  const short = JSON.stringify({ seq: r.seq, kind: r.kind, truncated: true, bytes: Buffer.byteLength(full) });
  return message(pri, r.at, origin, r.kind, structuredData([...envelope.slice(0, 8), ['truncated', 'true']]), short);
}

/** Said on the stream itself when records were removed by retention before they could be sent. */
export function syslogGapMessage(fromSeq: number, toSeq: number, at: string, origin: SyslogOrigin): string {
  const sd = structuredData([['firstSeq', fromSeq], ['lastSeq', toSeq], ['count', toSeq - fromSeq + 1]]);
  const json = JSON.stringify({ kind: 'stream-gap', fromSeq, toSeq, reason: 'removed by audit retention before they were sent' });
  return message(FACILITY_LOG_AUDIT * 8 + SEVERITY.warning, at, origin, 'stream-gap', sd, json);
}

/** RFC 6587 3.4.1 octet counting: `MSG-LEN SP SYSLOG-MSG`, the length in bytes. */
export function octetCounted(msg: string): Buffer {
  const body = Buffer.from(msg, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
