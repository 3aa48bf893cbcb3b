// Writes .tmp/icon-preview.png: every tray icon enlarged 10x (nearest
// neighbour, so single pixels show) on light, dark and accent backgrounds,
// plus actual size and the app icon, for checking a change by eye.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { rasteriseIcons } from './rasterise-icons.mjs';

const root = new URL('..', import.meta.url).pathname;
const files = await rasteriseIcons();
const uri = (path) => `data:image/png;base64,${files.get(path).toString('base64')}`;
const BACKGROUNDS = ['#f3f3f3', '#1f1f1f', '#2d6cdf'];
const SCALE = 10;
const parts = [];
let x = 10;
for (const name of ['idle', 'prompting', 'live', 'idleTemplate', 'promptingTemplate', 'liveTemplate']) {
  for (const suffix of ['', '@2x']) {
    const file = `assets/tray/${name}${suffix}.png`;
    BACKGROUNDS.forEach((bg, row) => {
      const y = 10 + row * 180;
      parts.push(`<rect x="${x - 5}" y="${y - 5}" width="170" height="170" fill="${bg}"/>`);
      parts.push(`<image x="${x}" y="${y}" width="160" height="160" image-rendering="optimizeSpeed" href="${uri(file)}"/>`);
      parts.push(`<rect x="${x + 20 * row}" y="560" width="20" height="20" fill="${bg}"/><image x="${x + 20 * row + 2}" y="562" width="16" height="16" href="${uri(file)}"/>`);
    });
    x += 16 * SCALE + 20;
  }
}
parts.push(`<image x="10" y="600" width="256" height="256" href="${uri('assets/icon.png')}"/>`);
const sheet = `<svg xmlns="http://www.w3.org/2000/svg" width="${x}" height="870"><rect width="100%" height="100%" fill="#888"/>${parts.join('')}</svg>`;
mkdirSync(join(root, '.tmp'), { recursive: true });
writeFileSync(join(root, '.tmp/icon-preview.png'), new Resvg(sheet, { font: { loadSystemFonts: false } }).render().asPng());
console.log('wrote .tmp/icon-preview.png');
