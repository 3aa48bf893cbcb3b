// The macOS managed-preferences source reads what macOS really writes: binary
// plists (bplist00) as well as XML ones. The binary fixture is the XML fixture
// converted by Python's plistlib (deterministic output), regenerate with:
//   cd test/core/policy/fixtures && python3 -c 'import plistlib; d = plistlib.load(open("managed.plist", "rb"));
//   open("managed-binary.plist", "wb").write(plistlib.dumps(d, fmt=plistlib.FMT_BINARY))'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadManagedPolicy } from '../../../src/core/policy/sources/managed-source.js';
import { MACOS_POLICY_PATH, MAX_PLIST_BYTES, PlistSource } from '../../../src/core/policy/sources/plist-source.js';

const fixturePath = (name: string) => join(import.meta.dirname, 'fixtures', name);
const expectedValues = {
  relayUrl: 'wss://relay.example.com/agent',
  emergencyAllowed: true,
  allowedScopes: ['view'],
  queueSize: 2,
};
const readFrom = (bytes: Uint8Array | string) => new PlistSource(MACOS_POLICY_PATH, async () => bytes).read();

describe('macOS managed preferences plist', () => {
  it('reads a binary plist from disk, as macOS writes managed preferences', async () => {
    const bytes = readFileSync(fixturePath('managed-binary.plist'));
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('bplist00');
    const managed = await loadManagedPolicy([new PlistSource(fixturePath('managed-binary.plist'))]);
    expect(managed).toEqual({ kind: 'valid', origins: [fixturePath('managed-binary.plist')], values: expectedValues });
  });

  it('reads an XML plist from disk, with or without a UTF-8 byte order mark', async () => {
    const xml = readFileSync(fixturePath('managed.plist'));
    const dir = mkdtempSync(join(tmpdir(), 'pl-plist-'));
    writeFileSync(join(dir, 'bom.plist'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), xml]));
    for (const path of [fixturePath('managed.plist'), join(dir, 'bom.plist')]) {
      const managed = await loadManagedPolicy([new PlistSource(path)]);
      expect(managed).toEqual({ kind: 'valid', origins: [path], values: expectedValues });
    }
  });

  it('gives the same data for the binary and the XML form of one plist', async () => {
    const binary = await readFrom(readFileSync(fixturePath('managed-binary.plist')));
    const xml = await readFrom(readFileSync(fixturePath('managed.plist')));
    expect(binary).toEqual({ kind: 'found', origin: MACOS_POLICY_PATH, data: expectedValues });
    expect(xml).toEqual(binary);
  });

  it('reports a missing file as absent and an unreadable one as an error', async () => {
    expect(await new PlistSource(join(tmpdir(), 'pl-no-such-dir', 'x.plist')).read()).toEqual({ kind: 'absent' });
    const dir = mkdtempSync(join(tmpdir(), 'pl-plist-'));
    const unreadable = await new PlistSource(dir).read();
    expect(unreadable).toMatchObject({ kind: 'error', detail: expect.stringMatching(/^cannot read: /) });
  });

  it('refuses text that is neither binary nor XML, and a file over the size bound, without parsing', async () => {
    expect(await readFrom('relayUrl = wss://evil')).toEqual({
      kind: 'error',
      origin: MACOS_POLICY_PATH,
      detail: 'is neither a binary (bplist00) nor an XML plist',
    });
    const huge = Buffer.concat([Buffer.from('bplist00'), Buffer.alloc(MAX_PLIST_BYTES)]);
    expect(await readFrom(huge)).toMatchObject({ kind: 'error', detail: `is larger than ${MAX_PLIST_BYTES} bytes` });
    expect((await loadManagedPolicy([new PlistSource(MACOS_POLICY_PATH, async () => huge)])).kind).toBe('invalid');
  });

  it('makes every truncation of a binary plist an invalid policy, never a throw', async () => {
    const bytes = readFileSync(fixturePath('managed-binary.plist'));
    for (let end = 0; end < bytes.length; end++) {
      const cut = bytes.subarray(0, end);
      // The parser is lenient about a shifted trailer (it may find a stray string): still not a policy.
      const managed = await loadManagedPolicy([new PlistSource(MACOS_POLICY_PATH, async () => cut)]);
      expect(managed.kind, `first ${end} bytes`).toBe('invalid');
    }
    const cutShort = await readFrom(bytes.subarray(0, 40));
    expect(cutShort).toMatchObject({ kind: 'error', detail: expect.stringMatching(/^is not a valid plist: /) });
  });

  it('never throws on garbage after the binary magic or inside XML (fast-check)', async () => {
    const garbage = fc.oneof(
      fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.concat([Buffer.from('bplist00'), b])),
      fc.uint8Array({ maxLength: 400 }),
      fc.string({ maxLength: 200 }).map((s) => Buffer.from(`<plist><dict>${s}`)),
    );
    await fc.assert(
      fc.asyncProperty(garbage, async (bytes) => {
        const result = await readFrom(bytes);
        expect(['error', 'found']).toContain(result.kind);
      }),
      { numRuns: 300 },
    );
  });
});
