// The relay's word to the agent that one of its reports is in the central
// audit: the agent applies a grant only after it, and forgets a report it keeps
// for re-sending once it is named here.
import { newMessageId } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import type { AuditAnchor } from '../../protocol/primitives.js';

interface Report {
  id: string;
  audit?: AuditAnchor | undefined;
  requestId?: string | undefined;
}

/** `record` absent: the relay keeps its own record of that event (it ended the session first). */
export function recordedAck(
  report: Report,
  record: { seq: number; hash: string } | undefined,
  extra: { re?: string; duplicate?: true } = {},
): Message<'session.recorded'> {
  return {
    v: 1,
    type: 'session.recorded',
    id: newMessageId(),
    re: extra.re ?? report.id,
    ...(report.audit ? { agentSeq: report.audit.seq } : {}),
    ...(report.requestId !== undefined ? { requestId: report.requestId } : {}),
    ...(record ? { record: { seq: record.seq, hash: record.hash } } : {}),
    ...(extra.duplicate ? { duplicate: true as const } : {}),
  };
}
