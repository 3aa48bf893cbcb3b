// The committed icons: present, the right sizes and formats, macOS template
// images monochrome, and exactly what scripts/rasterise-icons.mjs makes from
// the SVG sources in assets/src (so nobody edits a PNG by hand and forgets the source).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngSize, readPng } from './png-image.js';

const root = new URL('../..', import.meta.url).pathname;
const STATES = ['idle', 'prompting', 'live'] as const;
const read = (path: string) => readFileSync(join(root, path));

function icoSizes(bytes: Buffer): number[] {
  expect(bytes.readUInt16LE(0)).toBe(0);
  expect(bytes.readUInt16LE(2)).toBe(1);
  const count = bytes.readUInt16LE(4);
  return Array.from({ length: count }, (_, i) => bytes[6 + i * 16] || 256);
}

function icnsEntries(bytes: Buffer): { type: string; size: number }[] {
  expect(bytes.toString('latin1', 0, 4)).toBe('icns');
  expect(bytes.readUInt32BE(4)).toBe(bytes.length);
  const entries: { type: string; size: number }[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at + 4);
    entries.push({ type: bytes.toString('latin1', at, at + 4), size: pngSize(bytes.subarray(at + 8, at + length)).width });
    at += length;
  }
  return entries;
}

describe('tray icons', () => {
  it.each(STATES)('%s: colour PNG at 16 and 32 px, template PNG at 16 and 32 px', (state) => {
    expect(pngSize(read(`assets/tray/${state}.png`))).toEqual({ width: 16, height: 16 });
    expect(pngSize(read(`assets/tray/${state}@2x.png`))).toEqual({ width: 32, height: 32 });
    expect(pngSize(read(`assets/tray/${state}Template.png`))).toEqual({ width: 16, height: 16 });
    expect(pngSize(read(`assets/tray/${state}Template@2x.png`))).toEqual({ width: 32, height: 32 });
  });

  it.each(STATES)('%s: Windows .ico holds 16, 24, 32 and 48 px', (state) => {
    expect(icoSizes(read(`assets/tray/${state}.ico`))).toEqual([16, 24, 32, 48]);
  });

  it.each(STATES.flatMap((s) => [`${s}Template.png`, `${s}Template@2x.png`]))('%s is a macOS template image: black and alpha only, not empty', (file) => {
    const { rgba } = readPng(read(`assets/tray/${file}`));
    let opaque = 0;
    for (let i = 0; i < rgba.length; i += 4) {
      if (rgba[i + 3] === 0) continue;
      expect([rgba[i], rgba[i + 1], rgba[i + 2]]).toEqual([0, 0, 0]);
      if (rgba[i + 3] === 255) opaque++;
    }
    expect(opaque).toBeGreaterThan(20);
  });

  it('the three states look different at 16 px, in colour and as templates', () => {
    for (const suffix of ['', 'Template']) {
      const images = STATES.map((s) => Buffer.from(readPng(read(`assets/tray/${s}${suffix}.png`)).rgba));
      for (let i = 0; i < images.length; i++) {
        for (let j = i + 1; j < images.length; j++) {
          let differing = 0;
          for (let p = 0; p < images[i]!.length; p += 4) if (images[i]!.readUInt32BE(p) !== images[j]!.readUInt32BE(p)) differing++;
          expect(differing, `${STATES[i]} vs ${STATES[j]}${suffix}`).toBeGreaterThan(8);
        }
      }
    }
  });

  it('colour icons use colour (the template images are the monochrome ones)', () => {
    const { rgba } = readPng(read('assets/tray/live.png'));
    const coloured = [...Array(rgba.length / 4).keys()].some((i) => rgba[i * 4 + 3]! > 0 && rgba[i * 4]! !== rgba[i * 4 + 2]!);
    expect(coloured).toBe(true);
  });
});

describe('app icon', () => {
  it('PNG at 512 px for the app and 1024 px for the installers', () => {
    expect(pngSize(read('assets/icon.png'))).toEqual({ width: 512, height: 512 });
    expect(pngSize(read('build/icon.png'))).toEqual({ width: 1024, height: 1024 });
  });

  it('Windows .ico from 16 to 256 px', () => {
    expect(icoSizes(read('build/icon.ico'))).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });

  it('macOS .icns with PNG entries from 16 to 1024 px', () => {
    const entries = icnsEntries(read('build/icon.icns'));
    expect(entries.map((e) => e.type)).toEqual(['icp4', 'icp5', 'ic11', 'icp6', 'ic12', 'ic07', 'ic13', 'ic08', 'ic14', 'ic09', 'ic10']);
    expect(entries.map((e) => e.size)).toEqual([16, 32, 32, 64, 64, 128, 256, 256, 512, 512, 1024]);
  });
});

describe('generated from the SVG sources', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'porchlight-icons-'));
    execFileSync(process.execPath, [join(root, 'scripts/rasterise-icons.mjs'), '--out', out], { stdio: 'pipe' });
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));

  it('every committed icon file equals a fresh rasterisation, byte for byte', () => {
    const generated = walk(out).map((f) => relative(out, f)).sort();
    expect(generated).toContain('assets/tray/idle.png');
    expect(generated).toContain('build/icon.icns');
    for (const path of generated) expect(read(path).equals(readFileSync(join(out, path))), `${path} is stale: run node scripts/rasterise-icons.mjs`).toBe(true);
  });

  it('nothing in assets/tray is left over from an older source', () => {
    const committed = readdirSync(join(root, 'assets/tray')).sort();
    expect(committed).toEqual(readdirSync(join(out, 'assets/tray')).sort());
  });
});
