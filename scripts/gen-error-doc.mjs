// Regenerates docs/errors.md from src/protocol/error-codes.ts (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { ERROR_MEANINGS } from '../dist/src/protocol/error-codes.js';
import { EXIT_MEANINGS } from '../dist/src/cli/exit-codes.js';

const rows = Object.entries(ERROR_MEANINGS).map(([code, meaning]) => `| \`${code}\` | ${meaning} |`);
const exitRows = Object.entries(EXIT_MEANINGS).map(([code, meaning]) => `| ${code} | ${meaning} |`);
writeFileSync(
  new URL('../docs/errors.md', import.meta.url),
  ['# Error codes (protocol v1)', '', 'Stable: codes are never renamed or reused, only added. `porchlight errors` prints the same list.', '', '| code | meaning |', '| --- | --- |', ...rows, '', '## Exit codes of the porchlight command', '', 'Every failure prints one line `error: <code>: <message>` (`PORCHLIGHT_DEBUG=1` adds the stack of an internal error).', '', '| exit | meaning |', '| --- | --- |', ...exitRows, ''].join('\n'),
);
