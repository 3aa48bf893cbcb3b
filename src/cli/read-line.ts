// One line from stdin, after a prompt on stderr (a one-time code, a confirmation).
import { createInterface } from 'node:readline';
import { CliError } from './cli-error.js';
import type { CommandContext } from './command.js';
import { EXIT } from './exit-codes.js';

export async function readOneLine(ctx: CommandContext, prompt: string): Promise<string> {
  if (!ctx.stdin) throw new CliError('no-input', 'this needs an answer on stdin', EXIT.usage);
  ctx.stderr.write(prompt);
  const rl = createInterface({ input: ctx.stdin, crlfDelay: Infinity, terminal: false });
  try {
    const line = await new Promise<string | null>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(null));
    });
    if (line === null) throw new CliError('no-input', 'stdin ended before an answer', EXIT.usage);
    return line.trim();
  } finally {
    rl.close();
  }
}
