// `porchlight` entry: dispatches to a subcommand. Returns the exit code.
import type { CommandContext } from './command.js';
import { UsageError } from './command.js';
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
    ctx.stderr.write(`porchlight: unknown command '${first}'\n\n${usage()}`);
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
    if (err instanceof UsageError || isParseArgsError(err)) {
      ctx.stderr.write(`porchlight ${first}: ${(err as Error).message}\nTry 'porchlight ${first} --help'.\n`);
      return EXIT.usage;
    }
    ctx.stderr.write(`porchlight ${first}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.other;
  }
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

