// A grant is applied only once the relay says it recorded the decision
// (`session.recorded`). Each granting decision sent waits here for that word;
// an `audit-unavailable` (or any error) naming it, a timeout, the relay going
// away or the agent stopping all end the wait without a grant.
import type { Message } from '../../protocol/messages.js';
import type { ErrorCode } from '../../protocol/error-codes.js';
import type { AuditAnchor } from '../../protocol/primitives.js';
import type { Clock } from '../../shared/clock.js';

export type DecisionAck =
  | { kind: 'recorded'; record?: AuditAnchor }
  | { kind: 'refused'; code: ErrorCode; detail?: string }
  | { kind: 'timeout' }
  | { kind: 'relay-lost' }
  | { kind: 'agent-exit' };

/** Default wait for the relay's word before a grant declines. */
export const DEFAULT_DECISION_ACK_MS = 5_000;

/** One session is live at a time, so a handful of waits is already generous; the oldest gives way past it. */
const MAX_WAITING = 16;

interface Waiting {
  timer: unknown;
  settle: (ack: DecisionAck) => void;
}

export class DecisionAcks {
  private readonly byMsgId = new Map<string, Waiting>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number = DEFAULT_DECISION_ACK_MS,
  ) {}

  /** Start waiting before the decision is sent, so an early answer can't be missed; `wait` collects it. */
  expect(decisionMsgId: string): Promise<DecisionAck> {
    if (this.byMsgId.size >= MAX_WAITING) this.settle(this.byMsgId.keys().next().value!, { kind: 'timeout' });
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => this.settle(decisionMsgId, { kind: 'timeout' }), this.timeoutMs);
      this.byMsgId.set(decisionMsgId, { timer, settle: resolve });
    });
  }

  /** The decision was never sent (its local record failed): stop waiting. */
  forget(decisionMsgId: string): void {
    this.settle(decisionMsgId, { kind: 'relay-lost' });
  }

  /** True when the message settled a wait. */
  onRelayMessage(msg: Message<'session.recorded'> | Message<'error'>): boolean {
    if (msg.re === undefined || !this.byMsgId.has(msg.re)) return false;
    const ack: DecisionAck =
      msg.type === 'session.recorded'
        ? { kind: 'recorded', ...(msg.record ? { record: msg.record } : {}) }
        : { kind: 'refused', code: msg.code, ...(msg.detail ? { detail: msg.detail } : {}) };
    this.settle(msg.re, ack);
    return true;
  }

  /** Every wait ends without a grant (relay gone, agent stopping). */
  abortAll(kind: 'relay-lost' | 'agent-exit'): void {
    for (const id of [...this.byMsgId.keys()]) this.settle(id, { kind });
  }

  get size(): number {
    return this.byMsgId.size;
  }

  private settle(msgId: string, ack: DecisionAck): void {
    const w = this.byMsgId.get(msgId);
    if (!w) return;
    this.byMsgId.delete(msgId);
    this.clock.clearTimeout(w.timer);
    w.settle(ack);
  }
}
