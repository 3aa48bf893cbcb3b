// Reads audit files line by line, remembering where each line came from.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listAuditFiles } from './audit-files.js';

export interface AuditLine {
  file: string;
  /** 1-based line number in the file. */
  line: number;
  text: string;
  /** The line is the last one of the newest file (where a crash can tear a write). */
  atTail: boolean;
  /** The line ends with a newline (every completed write does). */
  complete: boolean;
}

export function* readAuditLines(dir: string): Generator<AuditLine> {
  const files = listAuditFiles(dir);
  for (const [fi, file] of files.entries()) {
    const content = readFileSync(join(dir, file), 'utf8');
    if (content.length === 0) continue;
    const parts = content.split('\n');
    const complete = parts[parts.length - 1] === '';
    if (complete) parts.pop();
    const lastFile = fi === files.length - 1;
    for (const [i, text] of parts.entries()) {
      const last = i === parts.length - 1;
      yield { file, line: i + 1, text, atTail: lastFile && last, complete: !last || complete };
    }
  }
}
