// Which granted session each sent decision opened, so that a relay answer of
// `audit-unavailable` to that decision (the relay could not record it, so for
// the central audit it never happened) ends the session at once.
import type { Message } from '../../protocol/messages.js';

/** Decisions are answered at once or not at all: a few dozen in flight is plenty. */
const MAX_REMEMBERED = 64;

export class SentDecisions {
  private readonly sessionByMsgId = new Map<string, string>();

  /** Called for every message the agent sends. */
  note(msg: Message): void {
    if (msg.type !== 'session.decision' || msg.sessionId === undefined || msg.granted.length === 0) return;
    this.sessionByMsgId.set(msg.id, msg.sessionId);
    if (this.sessionByMsgId.size > MAX_REMEMBERED) this.sessionByMsgId.delete(this.sessionByMsgId.keys().next().value!);
  }

  /** The session whose granting decision the relay refused to record, if this error is that refusal. */
  refusedSession(err: Message<'error'>): string | undefined {
    if (err.code !== 'audit-unavailable' || err.re === undefined) return undefined;
    const sessionId = this.sessionByMsgId.get(err.re);
    this.sessionByMsgId.delete(err.re);
    return sessionId;
  }
}
