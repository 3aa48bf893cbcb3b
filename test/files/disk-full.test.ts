// Disk full while a file arrives: the receiver (built, in a child process
// whose file size limit is 256 KiB via `ulimit -f`) fails cleanly with a
// message that says so, and leaves nothing in the folder.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureBuilt } from '../cli/built-cli.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

describe('file transfer: disk full', () => {
  it('a write past the space left fails as "disk is full" and deletes the partial file', async () => {
    await ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'pl-full-'));
    const folder = join(dir, 'INC-FULL');
    const script = join(dir, 'receive.mjs');
    writeFileSync(
      script,
      `import { FileReceiver } from ${JSON.stringify(join(root, 'dist/src/core/files/file-receiver.js'))};
process.on('SIGXFSZ', () => undefined); // the size limit then shows as EFBIG, as a full disk shows as ENOSPC
const r = await FileReceiver.open({ folder: ${JSON.stringify(folder)}, name: 'big.iso', size: 8 * 1024 * 1024, sha256: '0'.repeat(64) });
let error = 'none';
try { for (let i = 0; i < 8; i++) await r.write(Buffer.alloc(1024 * 1024)); } catch (err) { error = err.message; }
console.log(JSON.stringify({ error }));
`,
    );
    const { stdout } = await run('bash', ['-c', `ulimit -f 256 && exec "${process.execPath}" "${script}"`]);
    expect(JSON.parse(stdout)).toEqual({ error: expect.stringContaining('the disk is full') });
    expect(readdirSync(folder)).toEqual([]);
  }, 60_000);
});
