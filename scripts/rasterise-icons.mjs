// Rasterises the icon sources in assets/src/*.svg into every file the app and
// the installers load. Deterministic (no system fonts, fixed inputs), so
// test/build/icons.test.ts re-runs it into a temp dir and compares bytes.
//
//   node scripts/rasterise-icons.mjs            writes into the repository
//   node scripts/rasterise-icons.mjs --out DIR  writes the same tree under DIR
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Resvg } from '@resvg/resvg-js';
import pngToIco from 'png-to-ico';

const root = new URL('..', import.meta.url).pathname;
const TRAY_STATES = ['idle', 'prompting', 'live'];

function source(name) {
  return readFileSync(join(root, 'assets/src', `${name}.svg`), 'utf8');
}

function renderPng(svg, size) {
  return new Resvg(svg, { fitTo: { mode: 'width', value: size }, font: { loadSystemFonts: false } }).render().asPng();
}

// Apple's icns: 'icns' + total length, then (type, length, PNG data) entries.
// Modern macOS reads PNG payloads for all of these types.
const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic11', 32],
  ['icp6', 64],
  ['ic12', 64],
  ['ic07', 128],
  ['ic13', 256],
  ['ic08', 256],
  ['ic14', 512],
  ['ic09', 512],
  ['ic10', 1024],
];

function icns(pngForSize) {
  const entries = ICNS_TYPES.map(([type, size]) => {
    const data = pngForSize(size);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + entries.reduce((n, e) => n + e.length, 0), 4);
  return Buffer.concat([head, ...entries]);
}

/** Every output file, relative to the repository root, with its bytes. */
export async function rasteriseIcons() {
  const files = new Map();
  for (const state of TRAY_STATES) {
    const colour = source(`tray-${state}`);
    const template = source(`tray-${state}-template`);
    // Windows and Linux trays: colour PNGs at 1x and 2x, and a multi-size .ico.
    files.set(`assets/tray/${state}.png`, renderPng(colour, 16));
    files.set(`assets/tray/${state}@2x.png`, renderPng(colour, 32));
    files.set(`assets/tray/${state}.ico`, await pngToIco([16, 24, 32, 48].map((s) => renderPng(colour, s))));
    // macOS menu bar: template images (black + alpha), picked up by the "Template" suffix.
    files.set(`assets/tray/${state}Template.png`, renderPng(template, 16));
    files.set(`assets/tray/${state}Template@2x.png`, renderPng(template, 32));
  }

  const app = source('app-icon');
  // Small Windows sizes use the full-bleed lantern glyph; the tile is too fine to read there.
  const smallGlyph = source('tray-live');
  const appPng = (size) => (size <= 32 ? renderPng(smallGlyph, size) : renderPng(app, size));
  files.set('assets/icon.png', renderPng(app, 512));
  files.set('build/icon.png', renderPng(app, 1024));
  files.set('build/icon.ico', await pngToIco([16, 24, 32, 48, 64, 128, 256].map(appPng)));
  files.set('build/icon.icns', icns((size) => renderPng(app, size)));
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const outRoot = values.out ?? root;
  const files = await rasteriseIcons();
  for (const [path, bytes] of files) {
    const target = join(outRoot, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  console.log(`wrote ${files.size} icon files under ${outRoot}`);
}
