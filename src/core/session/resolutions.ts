// After a session (issue 20): the user's answer on the summary page to "Is
// your problem solved?", with an optional 1-5 rating and comment. Recorded on
// the device first, then sent to the relay, which audits it and tells the
// technician. One answer per ended session, and only for the few sessions
// that ended recently (the summary page the user can still have open).
import { newMessageId } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import type { AuditFields } from '../../protocol/agent-audit-record.js';
import type { Clock } from '../../shared/clock.js';
import { resolutionAnswerSchema } from '../../shared/view-models.js';
import type { RecordThenSend } from '../audit/record-then-send.js';

/** Ended sessions the core still takes an answer for (newest kept). */
export const ANSWERABLE_SESSIONS = 20;

export type ResolutionResult = 'sent' | 'unknown-session' | 'already-answered' | 'invalid' | 'not-recorded';

export class Resolutions {
  /** sessionId -> the session's audit fields, while an answer is still taken. */
  private readonly open = new Map<string, AuditFields>();
  private readonly answered = new Set<string>();

  constructor(
    private readonly clock: Clock,
    private readonly audited: RecordThenSend,
  ) {}

  /** A session ended and its summary is on screen: from now on it may be answered once. */
  ended(sessionId: string, fields: AuditFields): void {
    this.open.set(sessionId, fields);
    while (this.open.size > ANSWERABLE_SESSIONS) {
      const oldest = this.open.keys().next().value as string;
      this.open.delete(oldest);
      this.answered.delete(oldest);
    }
  }

  async answer(raw: unknown): Promise<ResolutionResult> {
    // The bridge checked it already; the core does not take main's word for it.
    const parsed = resolutionAnswerSchema.safeParse(raw);
    if (!parsed.success) return 'invalid';
    const { sessionId, solved, rating, comment } = parsed.data;
    const fields = this.open.get(sessionId);
    if (!fields) return 'unknown-session';
    if (this.answered.has(sessionId)) return 'already-answered';
    this.answered.add(sessionId);
    const at = new Date(this.clock.now()).toISOString();
    const extra = { ...(rating !== undefined ? { rating } : {}), ...(comment !== undefined ? { comment } : {}) };
    const msg: Message<'session.resolution'> = {
      v: 1,
      type: 'session.resolution',
      id: newMessageId(),
      sessionId,
      solved,
      at,
      ...extra,
    };
    if (!(await this.audited.record('session.resolution', { ...fields, solved, at, ...extra }, msg))) {
      this.answered.delete(sessionId);
      return 'not-recorded';
    }
    return 'sent';
  }
}
