// Managed policy as a JSON file: Linux /etc/porchlight/policy.json and
// Windows C:\ProgramData\Porchlight\policy.json (fixed, never from %ProgramData%).
import { readFile } from 'node:fs/promises';
import { win32 } from 'node:path';
import type { ManagedPolicySource, SourceReadResult } from './managed-source.js';
import { WINDOWS_PORCHLIGHT_DIR } from './windows-system-paths.js';

export type ReadText = (path: string) => Promise<string>;

export const LINUX_POLICY_PATH = '/etc/porchlight/policy.json';

export const WINDOWS_POLICY_PATH = win32.join(WINDOWS_PORCHLIGHT_DIR, 'policy.json');

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
