// macOS managed preferences: /Library/Managed Preferences/<bundle id>.plist,
// written by the MDM profile. macOS usually stores it as a binary plist
// (bplist00); an XML plist (hand-made or converted with plutil) is read too.
import { readFile } from 'node:fs/promises';
import { parseBuffer as parseBinaryPlist } from 'bplist-parser';
import { parse as parseXmlPlist } from 'plist';
import type { ManagedPolicySource, SourceReadResult } from './managed-source.js';

export const BUNDLE_ID = 'com.porchlight.agent';
export const MACOS_POLICY_PATH = `/Library/Managed Preferences/${BUNDLE_ID}.plist`;

/** A managed-preferences file holds a few keys; anything this large is not ours to parse. */
export const MAX_PLIST_BYTES = 1024 * 1024;

const BINARY_MAGIC = Buffer.from('bplist00', 'latin1');
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const NOT_A_PLIST = 'is neither a binary (bplist00) nor an XML plist';

/** Reads the file's bytes (a string is taken as UTF-8 text, for XML written in tests). */
export type ReadPlistFile = (path: string) => Promise<Uint8Array | string>;

type Parsed = { ok: true; data: unknown } | { ok: false; detail: string };

/** Binary or XML, decided by the first bytes; anything else is refused without parsing. */
export function parsePlistBytes(bytes: Uint8Array): Parsed {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length > MAX_PLIST_BYTES) return { ok: false, detail: `is larger than ${MAX_PLIST_BYTES} bytes` };
  try {
    if (buffer.subarray(0, BINARY_MAGIC.length).equals(BINARY_MAGIC)) {
      const [root] = parseBinaryPlist(buffer);
      return { ok: true, data: root };
    }
    const text = (buffer.subarray(0, 3).equals(UTF8_BOM) ? buffer.subarray(3) : buffer).toString('utf8');
    if (!text.trimStart().startsWith('<')) return { ok: false, detail: NOT_A_PLIST };
    return { ok: true, data: parseXmlPlist(text) as unknown };
  } catch (err) {
    // Both parsers throw on malformed input (a cyclic binary plist overflows the stack): a value, not a crash.
    return { ok: false, detail: `is not a valid plist: ${String((err as Error)?.message ?? err).slice(0, 200)}` };
  }
}

export class PlistSource implements ManagedPolicySource {
  readonly name: string;
  constructor(
    private readonly path: string = MACOS_POLICY_PATH,
    private readonly readBytes: ReadPlistFile = (p) => readFile(p),
  ) {
    this.name = path;
  }

  async read(): Promise<SourceReadResult> {
    let raw: Uint8Array | string;
    try {
      raw = await this.readBytes(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
      return { kind: 'error', origin: this.path, detail: `cannot read: ${(err as Error).message}` };
    }
    const parsed = parsePlistBytes(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw);
    if (!parsed.ok) return { kind: 'error', origin: this.path, detail: parsed.detail };
    const data = parsed.data;
    // MDM profiles add bookkeeping keys; drop them before strict validation.
    if (data && typeof data === 'object' && !Array.isArray(data)) {
      const record = data as Record<string, unknown>;
      const { PayloadUUID: _u, PayloadType: _t, PayloadVersion: _v, PayloadIdentifier: _i, ...rest } = record;
      return { kind: 'found', origin: this.path, data: rest };
    }
    return { kind: 'found', origin: this.path, data };
  }
}
