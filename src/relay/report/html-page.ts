// One self-contained HTML page: its own style block allowed by hash, nothing else (no script,
// no fetch, no images from anywhere), light and dark by prefers-color-scheme. Shared by the
// monthly report and the benchmark report so both keep the same strict CSP.
import { createHash } from 'node:crypto';
import { escapeHtml } from './html-escape.js';

/** The page around `body` (already-escaped HTML); `title` is escaped here. */
export function selfContainedPage(title: string, css: string, body: string): string {
  const styleHash = createHash('sha256').update(css).digest('base64');
  const csp = `default-src 'none'; style-src 'sha256-${styleHash}'; img-src 'none'; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
