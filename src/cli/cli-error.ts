// Failures the CLI names for a person: a stable code, one line of text, and
// the documented exit code. main() prints `error: <code>: <message>`.
import { EXIT } from './exit-codes.js';
import { terminalText } from '../protocol/text-policy.js';

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number = EXIT.other,
  ) {
    super(message);
  }
}

/**
 * One line, whatever the message holds (a multi-line error must not look like several), in the text policy's
 * terminal form: an error may quote device or user text, which must not drive the terminal.
 */
export function oneLine(text: string): string {
  return terminalText(text.replace(/\s*\n\s*/g, '; ').trim());
}

/** The stderr text for an error nobody expected: one line, the stack only when PORCHLIGHT_DEBUG=1. */
export function describeCrash(err: unknown, env: NodeJS.ProcessEnv): string {
  const message = err instanceof Error ? err.message : String(err);
  const stack = env.PORCHLIGHT_DEBUG === '1' && err instanceof Error && err.stack ? `${err.stack}\n` : '';
  return `error: internal: ${oneLine(message)}${stack ? '' : ' (PORCHLIGHT_DEBUG=1 shows the stack)'}\n${stack}`;
}
