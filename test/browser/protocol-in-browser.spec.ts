// The technician console and renderer parse frames in the browser: the protocol's
// frame/messages modules must bundle without Node built-ins and behave the same there.
import { expect, test } from '@playwright/test';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

test('parseFrame runs in Chromium with the same verdicts as in Node', async ({ page }) => {
  const bundle = await build({
    stdin: {
      contents: `import { parseFrame } from './src/protocol/frame.js'; window.parseFrame = parseFrame;`,
      resolveDir: fileURLToPath(new URL('../..', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  await page.setContent('<!doctype html><title>protocol</title>');
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  const verdicts = await page.evaluate(() => {
    const parse = (window as unknown as { parseFrame: (t: unknown) => { ok: boolean; code?: string } }).parseFrame;
    return [
      parse('{"v":1,"type":"session.cancel","id":"m1","requestId":"r1"}'),
      parse('{"v":1,"type":"session.cancel","id":"m1","requestId":"r1","x":1}'),
      parse('{"v":2,"type":"error","id":"m1","code":"internal"}'),
      parse('not json'),
    ].map((r) => (r.ok ? 'ok' : r.code));
  });
  expect(verdicts).toEqual(['ok', 'bad-frame', 'bad-version', 'bad-frame']);
});
