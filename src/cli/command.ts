// The shape of one `porchlight` subcommand. Side effects come in through the
// context so tests can run commands in-process with captured output.
import type { Readable, Writable } from 'node:stream';

export interface CommandContext {
  /** Only interactive commands read it (`request --interactive`). */
  stdin?: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM by the bin wrapper; long-running commands stop cleanly. */
  signal: AbortSignal;
}

export interface Command {
  name: string;
  summary: string;
  /** Printed by main() for `porchlight <name> --help` (or -h) instead of running the command. */
  help?: string;
  run(argv: string[], ctx: CommandContext): Promise<number>;
}

/** Thrown for bad command-line usage; main() prints it with the command's help and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
