// "Record, then send": every message the agent reports goes to the audit log
// first and to the relay only once its record is durable.
import type { Message } from '../../protocol/messages.js';
import type { AuditSink } from './audit-log.js';
import type { AuditFields, AuditRecord } from '../../protocol/agent-audit-record.js';

/** Messages that carry the seq and hash of their audit record, for the relay to keep as an anchor. */
const ANCHORED = new Set<Message['type']>([
  'session.decision',
  'session.started',
  'session.scope-update',
  'session.file-transfer-result',
  'session.user-message',
  'session.resolution',
  'session.end',
  'session.summary',
  'schedule.decision',
  'schedule.revoked',
]);

export interface RecordOptions {
  /** Send `msg` even when the record failed: for messages that only take access away. */
  sendOnFailure?: boolean;
}

export class RecordThenSend {
  constructor(
    private readonly audit: AuditSink,
    private readonly sendToRelay: (msg: Message) => boolean,
  ) {}

  /**
   * Append to the audit log, then (only once it is durable) send `msg`.
   * Returns false if the record could not be written.
   */
  async record(type: string, fields: AuditFields, msg?: Message, opts: RecordOptions = {}): Promise<boolean> {
    let written: AuditRecord;
    try {
      const sent = msg ? { msgId: msg.id, msgType: msg.type } : {};
      written = await this.audit.append(type, dropUndefined({ ...fields, ...sent }));
    } catch {
      if (msg && opts.sendOnFailure) this.send(msg);
      return false;
    }
    if (msg) this.send(withAnchor(msg, written));
    return true;
  }

  /** Record only; a failed write is not the caller's concern (received requests, narration, relay errors). */
  async recordOnly(type: string, fields: AuditFields): Promise<void> {
    await this.record(type, fields);
  }

  /** Send without a record: only for answers that grant nothing and were recorded (or could not be). */
  send(msg: Message): void {
    this.sendToRelay(msg);
  }
}

function withAnchor(msg: Message, record: AuditRecord): Message {
  return ANCHORED.has(msg.type) ? ({ ...msg, audit: { seq: record.seq, hash: record.hash } } as Message) : msg;
}

function dropUndefined(fields: AuditFields): AuditFields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}
