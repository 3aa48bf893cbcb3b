// What `porchlight request` prints: one JSON line per event with --json, else
// plain lines for people; notes go to stderr for people, stdout as JSON.
import { terminalText } from '../../protocol/text-policy.js';
import type { Message } from '../../protocol/messages.js';
import type { CommandContext } from '../command.js';
import { describeEvent } from './technician-events.js';

/** What the CLI's own device-signature check found about a frame (JSON: beside the message's fields). */
export type Seal = { deviceKeyFingerprint?: string; signatureVerified?: boolean };

export class RequestOutput {
  constructor(
    private readonly ctx: CommandContext,
    private readonly json: boolean,
    private readonly requested: readonly string[],
  ) {}

  /** `seal`: what the CLI's own device-signature check found (JSON: beside the message's fields). */
  event(msg: Message, seal: Seal = {}): void {
    if (this.json) return void this.ctx.stdout.write(`${JSON.stringify({ ...msg, ...seal })}\n`);
    const line = describeEvent(msg, this.requested);
    if (line) this.ctx.stdout.write(`${line}\n`);
    if (msg.type === 'session.decision' && seal.deviceKeyFingerprint) {
      this.ctx.stdout.write(`  device signature verified (key ${seal.deviceKeyFingerprint})\n`);
    }
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
