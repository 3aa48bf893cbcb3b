// Real little hook scripts in a temp dir: each appends one line per run to a
// log (action, scope, session, ticket, technician, its own arguments) and exits
// with the status the test chose. POSIX sh; the tests skip on Windows.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface HookDir {
  dir: string;
  log: string;
  /** Write an executable script; `body` runs after the log line is written. */
  script(name: string, body?: string): string;
  /** The logged runs, one per line. */
  runs(): string[];
  remove(): void;
}

export function hookDir(): HookDir {
  const dir = mkdtempSync(join(tmpdir(), 'pl-hooks-'));
  const log = join(dir, 'runs.log');
  return {
    dir,
    log,
    script(name, body = 'exit 0') {
      const path = join(dir, name);
      const line = 'echo "$PORCHLIGHT_ACTION $PORCHLIGHT_SCOPE $PORCHLIGHT_SESSION_ID $PORCHLIGHT_TICKET_ID $PORCHLIGHT_TECHNICIAN_ID $*"';
      writeFileSync(path, `#!/bin/sh\n${line} >> '${log}'\n${body}\n`);
      chmodSync(path, 0o755);
      return path;
    },
    runs: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').map((l) => l.trimEnd()).filter((l) => l !== '') : []),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
