// `porchlight` entry: dispatches to a subcommand. Returns the exit code.
import type { CommandContext } from './command.js';
import { UsageError } from './command.js';
import { CliError, describeCrash, oneLine } from './cli-error.js';
import { EXIT } from './exit-codes.js';
import { COMMANDS } from './registry.js';
import { packageVersion } from './version.js';

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: porchlight <command> [options]',
    '',
    'Porchlight: the consent agent for remote IT support.',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help     show help (also: porchlight <command> --help)',
    '  -v, --version  print the version',
    '',
  ].join('\n');
}

export async function main(argv: string[], partial: Partial<CommandContext> = {}): Promise<number> {
  const ctx: CommandContext = {
    // A getter: process.stdin is only opened by a command that reads it.
    get stdin() {
      return partial.stdin ?? process.stdin;
    },
    stdout: partial.stdout ?? process.stdout,
    stderr: partial.stderr ?? process.stderr,
    env: partial.env ?? process.env,
    signal: partial.signal ?? signalFromProcess(),
  };
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    ctx.stdout.write(usage());
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === '-v' || first === '--version') {
    ctx.stdout.write(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  const entry = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (!entry) {
    ctx.stderr.write(`error: usage: unknown command '${oneLine(first).slice(0, 80)}' (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return EXIT.usage;
  }
  try {
    const command = await entry.load();
    if (command.help !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
      ctx.stdout.write(command.help);
      return EXIT.ok;
    }
    return await command.run(rest, ctx);
  } catch (err) {
    return reportFailure(err, first, ctx);
  }
}

/** Every failure ends as one line `error: <code>: <message>` and its documented exit code. */
function reportFailure(err: unknown, command: string, ctx: CommandContext): number {
  if (err instanceof UsageError || isParseArgsError(err)) {
    // Node's advice on positionals that start with '-' only confuses a mistyped flag.
    const message = oneLine((err as Error).message).replace(/\. To specify a positional argument starting with a '-'.*$/, '');
    ctx.stderr.write(`error: usage: ${message} (see 'porchlight ${command} --help')\n`);
    return EXIT.usage;
  }
  if (err instanceof CliError) {
    ctx.stderr.write(`error: ${err.code}: ${oneLine(err.message)}\n`);
    return err.exitCode;
  }
  // Our typed errors (KeyFileError, EvidenceError, ...) carry a stable kebab-case code.
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof Error && typeof code === 'string' && /^[a-z][a-z0-9-]*$/.test(code)) {
    const message = err.message.startsWith(`${code}: `) ? err.message.slice(code.length + 2) : err.message;
    ctx.stderr.write(`error: ${code}: ${oneLine(message)}\n`);
    return EXIT.other;
  }
  ctx.stderr.write(describeCrash(err, ctx.env));
  return EXIT.other;
}

function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function signalFromProcess(): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}

