// Serves the built renderer pages (dist/renderer) on 127.0.0.1:<random port>,
// as Electron would load them: same files, their own CSP meta, no extras.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const rendererDist = fileURLToPath(new URL('../../dist/renderer', import.meta.url));
const rendererSrc = fileURLToPath(new URL('../../renderer', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** The pages are built by `npm run build` (npm test does it first); fail clearly when they are missing. */
export function assertRendererBuilt(pages: readonly string[]): void {
  for (const page of pages) {
    const bundle = join(rendererDist, page, 'main.js');
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first`);
    const source = join(rendererSrc, page, 'main.ts');
    if (statSync(source).mtimeMs > statSync(bundle).mtimeMs) throw new Error(`${bundle} is older than its source: run \`npm run build\``);
  }
}

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

export async function serveRenderer(): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(rendererDist, path);
    if (!file.startsWith(rendererDist + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Serve the built pages for the spec file that calls this; returns a getter for the base URL. */
export function serveDuringSpec(test: { beforeAll(fn: () => Promise<void>): void; afterAll(fn: () => Promise<void>): void }, page: string): () => string {
  let server: StaticServer | undefined;
  test.beforeAll(async () => {
    assertRendererBuilt([page]);
    server = await serveRenderer();
  });
  test.afterAll(async () => server?.close());
  return () => {
    if (!server) throw new Error('server not started');
    return server.url;
  };
}
