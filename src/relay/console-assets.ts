// Serves the technician console (one page, its script and stylesheet) from
// the built bundle, with a strict CSP. Nothing else is served over HTTP.
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/main.js': { file: 'main.js', type: 'text/javascript; charset=utf-8' },
  '/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
  // The design tokens the desktop pages use too (renderer/common/tokens.css, copied in by the build).
  '/tokens.css': { file: 'tokens.css', type: 'text/css; charset=utf-8' },
};

/** dist/relay-console, found from the built module (dist/src/relay) or from source (src/relay). */
export function defaultConsoleDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '../../relay-console'), join(here, '../../dist/relay-console')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

export function consoleHandler(dir: string): (req: IncomingMessage, res: ServerResponse) => void {
  const cache = new Map<string, Buffer>();
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const entry = Object.hasOwn(FILES, path) ? FILES[path] : undefined;
    const headers = {
      'Content-Security-Policy': CONSOLE_CSP,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    if (!entry) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    let body = cache.get(entry.file);
    if (!body) {
      const full = join(dir, entry.file);
      if (!existsSync(full)) {
        res.writeHead(503, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('console not built: run npm run build\n');
        return;
      }
      body = readFileSync(full);
      cache.set(entry.file, body);
    }
    res.writeHead(200, { ...headers, 'Content-Type': entry.type, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
