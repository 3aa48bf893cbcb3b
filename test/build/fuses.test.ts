// The afterPack hook (build/fuses.mjs): the fuse settings, and the real
// @electron/fuses flipping them in a stand-in binary that carries an
// Electron fuse wire, found where electron-builder puts it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flipFuses, FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterEach, describe, expect, it } from 'vitest';
import afterPack, { electronBinaryPath, FUSES, fuseConfig } from '../../build/fuses.mjs';

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const fuseNames = Object.keys(FuseV1Options).filter((k) => Number.isNaN(Number(k)));

/** Electron's shipped defaults, in wire order: '1' enabled, '0' disabled. */
const ELECTRON_DEFAULT_WIRE = '101100011';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function fakeBinary(wire: string): string {
  dir = mkdtempSync(join(tmpdir(), 'porchlight-fuses-'));
  const path = join(dir, 'Porchlight.exe');
  writeFileSync(path, Buffer.concat([Buffer.alloc(4096, 0x90), Buffer.from(SENTINEL), Buffer.from([1, wire.length]), Buffer.from(wire), Buffer.alloc(4096, 0x90)]));
  return path;
}

/** Run the hook the way electron-builder does for a Windows build. */
async function runHook(): Promise<void> {
  await afterPack({ electronPlatformName: 'win32', appOutDir: dir!, packager: { appInfo: { productFilename: 'Porchlight' } } });
}

describe('fuses', () => {
  it('decides every fuse @electron/fuses knows, by name', () => {
    expect(Object.keys(FUSES).sort()).toEqual([...fuseNames].sort());
  });

  it('turns off the ways to run the binary as something else and pins the app to a checked asar', () => {
    expect(FUSES).toMatchObject({
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      GrantFileProtocolExtraPrivileges: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
    });
  });

  it('finds the binary electron-builder packed on each platform', () => {
    const packager = { appInfo: { productFilename: 'Porchlight' }, executableName: 'porchlight' };
    expect(electronBinaryPath({ appOutDir: '/out', electronPlatformName: 'win32', packager })).toBe('/out/Porchlight.exe');
    expect(electronBinaryPath({ appOutDir: '/out', electronPlatformName: 'darwin', packager })).toBe('/out/Porchlight.app');
    expect(electronBinaryPath({ appOutDir: '/out', electronPlatformName: 'linux', packager })).toBe('/out/porchlight');
  });

  it('builds a strict v1 config keyed by wire position', () => {
    const config = fuseConfig('linux') as unknown as Record<string | number, unknown>;
    expect(config.version).toBe('1');
    expect(config.strictlyRequireAllFuses).toBe(true);
    expect(config[FuseV1Options.RunAsNode]).toBe(false);
    expect(config[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    expect(fuseConfig('darwin').resetAdHocDarwinSignature).toBe(true);
    expect(fuseConfig('win32').resetAdHocDarwinSignature).toBe(false);
  });

  it('the afterPack hook flips the fuses in the packaged binary', async () => {
    const binary = fakeBinary(ELECTRON_DEFAULT_WIRE);
    const before = await getCurrentFuseWire(binary);
    expect(before[FuseV1Options.RunAsNode]).toBe(FuseState.ENABLE);
    await runHook();
    const after = await getCurrentFuseWire(binary);
    for (const name of fuseNames) {
      const index = FuseV1Options[name as keyof typeof FuseV1Options];
      expect(after[index], name).toBe(FUSES[name] ? FuseState.ENABLE : FuseState.DISABLE);
    }
    expect(readFileSync(binary).length).toBe(4096 * 2 + SENTINEL.length + 2 + ELECTRON_DEFAULT_WIRE.length);
  });

  it('fails the build when a newer Electron has a fuse nobody decided on', async () => {
    fakeBinary(`${ELECTRON_DEFAULT_WIRE}1`);
    await expect(runHook()).rejects.toThrow(/strictlyRequireAllFuses|not long enough|Missing explicit/);
  });

  it('fails the build when there is no fuse wire to flip', async () => {
    dir = mkdtempSync(join(tmpdir(), 'porchlight-fuses-'));
    writeFileSync(join(dir, 'Porchlight.exe'), Buffer.alloc(1024));
    await expect(runHook()).rejects.toThrow(/sentinel/);
  });

  it('flipping twice is harmless (re-packing the same output)', async () => {
    const binary = fakeBinary(ELECTRON_DEFAULT_WIRE);
    await runHook();
    const once = readFileSync(binary);
    await flipFuses(binary, fuseConfig('win32'));
    expect(readFileSync(binary).equals(once)).toBe(true);
  });
});
