// What `porchlight request` prints: one JSON object per line with --json
// (relay messages as they came, every terminal outcome in the one
// decision-like shape of outcome-event.ts), readable lines otherwise.
import type { ErrorCode } from '../../protocol/error-codes.js';
import type { Message } from '../../protocol/messages.js';
import type { Scope } from '../../protocol/scopes.js';
import type { CommandContext } from '../command.js';
import { decisionEvent, refusalEvent, type RefusedBy } from './outcome-event.js';
import { describeEvent } from './technician-events.js';

export class RequestOutput {
  constructor(
    private readonly ctx: CommandContext,
    private readonly json: boolean,
    private readonly requested: readonly Scope[],
  ) {}

  event(msg: Message): void {
    if (this.json) {
      const shaped = msg.type === 'session.decision' ? decisionEvent(msg) : msg;
      return void this.ctx.stdout.write(`${JSON.stringify(shaped)}\n`);
    }
    const line = describeEvent(msg, this.requested);
    if (line) this.ctx.stdout.write(`${line}\n`);
  }

  /** The request ended without the agent's decision: one decision-like line in JSON, `error: code: detail` in text. */
  refusal(code: ErrorCode | 'connect-failed', detail: string, by: RefusedBy, re?: string): void {
    if (!this.json) return void this.ctx.stderr.write(`error: ${code}: ${detail}\n`);
    this.ctx.stdout.write(`${JSON.stringify(refusalEvent(code, detail, this.requested, by, re))}\n`);
  }

  /** A line the technician acts on (stdout in both modes). */
  line(kind: string, text: string, extra: Record<string, unknown> = {}): void {
    this.ctx.stdout.write(this.json ? `${JSON.stringify({ type: kind, detail: text, ...extra })}\n` : `${text}\n`);
  }

  note(kind: string, text: string, extra: Record<string, unknown> = {}): void {
    if (this.json) this.ctx.stdout.write(`${JSON.stringify({ type: kind, detail: text, ...extra })}\n`);
    else this.ctx.stderr.write(`${text}\n`);
  }
}
