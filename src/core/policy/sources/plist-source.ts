// macOS managed preferences: /Library/Managed Preferences/<bundle id>.plist,
// written by the MDM profile (XML plist).
import { readFile } from 'node:fs/promises';
import { parse as parsePlist } from 'plist';
import type { ManagedPolicySource, SourceReadResult } from './managed-source.js';
import type { ReadText } from './json-file-source.js';

export const BUNDLE_ID = 'com.porchlight.agent';
export const MACOS_POLICY_PATH = `/Library/Managed Preferences/${BUNDLE_ID}.plist`;

export class PlistSource implements ManagedPolicySource {
  readonly name: string;
  constructor(
    private readonly path: string = MACOS_POLICY_PATH,
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
    if (!text.trimStart().startsWith('<')) return { kind: 'error', origin: this.path, detail: 'is not an XML plist (convert binary plists with plutil)' };
    try {
      const data = parsePlist(text) as unknown;
      // MDM profiles add bookkeeping keys; drop them before strict validation.
      if (data && typeof data === 'object' && !Array.isArray(data)) {
        const { PayloadUUID: _u, PayloadType: _t, PayloadVersion: _v, PayloadIdentifier: _i, ...rest } = data as Record<string, unknown>;
        return { kind: 'found', origin: this.path, data: rest };
      }
      return { kind: 'found', origin: this.path, data };
    } catch (err) {
      return { kind: 'error', origin: this.path, detail: `is not a valid plist: ${(err as Error).message.slice(0, 200)}` };
    }
  }
}
