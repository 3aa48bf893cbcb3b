// The user's own voice during a session (issue 20): a message from the
// banner's reply box, or the "I have a question" quick action, goes to the
// device's audit log first and only then to the relay, for the technician.
// Rate-limited per session, so a stuck key or a script in the page cannot
// flood the technician; what is over the limit is refused and recorded.
import { newMessageId } from '../../protocol/frame.js';
import { USER_MESSAGE_RATE } from '../../protocol/limits.js';
import type { Message } from '../../protocol/messages.js';
import { multilineText } from '../../protocol/primitives.js';
import type { Clock } from '../../shared/clock.js';
import type { RecordThenSend } from '../audit/record-then-send.js';
import type { UiPort } from '../ui-port.js';
import type { LiveSession } from './live-session.js';
import { sessionFields } from './session-messages.js';

/** The fixed text of the banner's "I have a question" quick action. */
export const QUICK_QUESTION_TEXT = 'I have a question.';

export type UserMessageResult = 'sent' | 'no-session' | 'invalid' | 'rate-limited' | 'not-recorded';

export interface UserMessageDeps {
  clock: Clock;
  ui: UiPort;
  audited: RecordThenSend;
  live: (sessionId: string) => LiveSession | undefined;
}

const userText = multilineText(1000);

export class UserMessages {
  /** Per session: the send times still inside the rate window. */
  private readonly recent = new Map<string, number[]>();

  constructor(private readonly d: UserMessageDeps) {}

  async send(sessionId: string, text: string, quick?: 'question'): Promise<UserMessageResult> {
    const s = this.d.live(sessionId);
    if (!s) return 'no-session';
    // The bridge checked it already; the core does not take the page's word for it.
    const parsed = userText.safeParse(text);
    if (!parsed.success) {
      await this.d.audited.recordOnly('session.user-message-refused', { ...sessionFields(s), reason: 'invalid' });
      return 'invalid';
    }
    const nowMs = this.d.clock.now();
    if (!this.take(sessionId, nowMs)) {
      s.replyPausedUntil = this.pausedUntil(sessionId);
      this.d.ui.showBanner(s.banner());
      await this.d.audited.recordOnly('session.user-message-refused', { ...sessionFields(s), reason: 'rate-limited' });
      return 'rate-limited';
    }
    s.replyPausedUntil = undefined;
    const at = new Date(nowMs).toISOString();
    const msg: Message<'session.user-message'> = {
      v: 1,
      type: 'session.user-message',
      id: newMessageId(),
      sessionId,
      text: parsed.data,
      at,
      ...(quick ? { quick } : {}),
    };
    const fields = { ...sessionFields(s), text: parsed.data, at, ...(quick ? { quick } : {}) };
    if (!(await this.d.audited.record('session.user-message', fields, msg))) return 'not-recorded';
    s.noteUserMessage({ at, text: parsed.data });
    if (this.d.live(sessionId) === s) this.d.ui.showBanner(s.banner());
    return 'sent';
  }

  /** The session ended: forget its window. */
  forget(sessionId: string): void {
    this.recent.delete(sessionId);
  }

  /** At most `max` sends in any `windowMs`. */
  private take(sessionId: string, nowMs: number): boolean {
    const { max, windowMs } = USER_MESSAGE_RATE;
    const times = (this.recent.get(sessionId) ?? []).filter((t) => nowMs - t < windowMs);
    this.recent.set(sessionId, times);
    if (times.length >= max) return false;
    times.push(nowMs);
    return true;
  }

  /** When the oldest send in the window leaves it. */
  private pausedUntil(sessionId: string): number {
    const oldest = this.recent.get(sessionId)?.[0] ?? this.d.clock.now();
    return oldest + USER_MESSAGE_RATE.windowMs;
  }
}
