// Managed policy as a JSON file: Linux /etc/porchlight/policy.json and
// Windows %ProgramData%\Porchlight\policy.json.
import { readFile } from 'node:fs/promises';
import type { ManagedPolicySource, SourceReadResult } from './managed-source.js';

export type ReadText = (path: string) => Promise<string>;

export const LINUX_POLICY_PATH = '/etc/porchlight/policy.json';

/** %ProgramData% (machine-wide, admin-writable), where IT puts Porchlight's files on Windows. */
export function windowsProgramDataDir(env: NodeJS.ProcessEnv): string {
  return env.ProgramData ?? env.PROGRAMDATA ?? 'C:\\ProgramData';
}

export function windowsProgramDataPolicyPath(env: NodeJS.ProcessEnv): string {
  return `${windowsProgramDataDir(env)}\\Porchlight\\policy.json`;
}

export class JsonFileSource implements ManagedPolicySource {
  readonly name: string;
  constructor(
    private readonly path: string,
    private readonly readText: ReadText = (p) => readFile(p, 'utf8'),
  ) {
    this.name = path;
  }

  async read(): Promise<SourceReadResult> {
    let text: string;
    try {
      text = await this.readText(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
      return { kind: 'error', origin: this.path, detail: `cannot read: ${(err as Error).message}` };
    }
    try {
      return { kind: 'found', origin: this.path, data: JSON.parse(text) as unknown };
    } catch {
      return { kind: 'error', origin: this.path, detail: 'is not valid JSON' };
    }
  }
}
