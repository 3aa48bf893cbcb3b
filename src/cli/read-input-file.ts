// A file named by a flag (--cert, --key): unreadable, missing or a directory
// is the caller's mistake, a usage error naming the flag, never a stack trace.
import { readFileSync } from 'node:fs';
import { UsageError } from './command.js';

export function readInputFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot be read (${code ?? (err as Error).message})`;
    throw new UsageError(`${flag}: ${path} ${why}`);
  }
}
