// What `porchlight request` prints: one JSON object per line with --json
// (relay messages as they came, every terminal outcome in the one
// decision-like shape of outcome-event.ts), readable lines otherwise; notes go
// to stderr for people, stdout as JSON. Text for people passes the terminal
// text policy, so nothing a relay or device sends can steer the terminal.
import type { Message } from '../../protocol/messages.js';
import type { Scope } from '../../protocol/scopes.js';
import { terminalText } from '../../protocol/text-policy.js';
import type { CommandContext } from '../command.js';
import { decisionEvent, refusalEvent, type RefusalCode, type RefusedBy } from './outcome-event.js';
import { describeEvent } from './technician-events.js';

/** What the CLI's own device-signature check found about a frame (JSON: beside the message's fields). */
export type Seal = { deviceKeyFingerprint?: string; signatureVerified?: boolean };

export class RequestOutput {
  constructor(
    private readonly ctx: CommandContext,
    private readonly json: boolean,
    private readonly requested: readonly Scope[],
  ) {}

  /** `seal`: what the CLI's own device-signature check found (JSON: beside the message's fields). */
  event(msg: Message, seal: Seal = {}): void {
    if (this.json) {
      const shaped = msg.type === 'session.decision' ? decisionEvent(msg) : msg;
      return void this.ctx.stdout.write(`${JSON.stringify({ ...shaped, ...seal })}\n`);
    }
    const line = describeEvent(msg, this.requested);
    if (line) this.ctx.stdout.write(`${line}\n`);
    if (msg.type === 'session.decision' && seal.deviceKeyFingerprint) {
      this.ctx.stdout.write(`  device signature verified (key ${seal.deviceKeyFingerprint})\n`);
    }
  }

  /** The request ended without the agent's decision: one decision-like line in JSON, `error: code: detail` in text. */
  refusal(code: RefusalCode, detail: string, by: RefusedBy, re?: string): void {
    if (!this.json) return void this.ctx.stderr.write(`error: ${code}: ${terminalText(detail, 'multiline')}\n`);
    this.ctx.stdout.write(`${JSON.stringify(refusalEvent(code, detail, this.requested, by, re))}\n`);
  }

  /** A line the technician acts on (stdout in both modes). */
  line(kind: string, text: string, extra: Record<string, unknown> = {}): void {
    this.ctx.stdout.write(this.json ? `${JSON.stringify({ type: kind, detail: text, ...extra })}\n` : `${terminalText(text, 'multiline')}\n`);
  }

  note(kind: string, text: string, extra: Record<string, unknown> = {}): void {
    if (this.json) this.ctx.stdout.write(`${JSON.stringify({ type: kind, detail: text, ...extra })}\n`);
    else this.ctx.stderr.write(`${terminalText(text, 'multiline')}\n`);
  }
}
