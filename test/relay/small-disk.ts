// A small tmpfs the test mounts itself, and a filler file that takes every free
// byte on it: a real full disk under a real relay database. Needs root (CI runs
// as root); elsewhere `tmpfsUnavailable` says why and the tests skip.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  readonly dir: string;
  /** Write until ENOSPC; returns the bytes taken. */
  fill(): number;
  /** Give the space back. */
  free(): void;
  unmount(): void;
}

/** util-linux tools (present wherever root can mount). */
const TOOLS = { mount: 'mount', umount: 'umount' } as const;

function mountTmpfs(dir: string, sizeKiB: number): string | null {
  const r = spawnSync(TOOLS.mount, ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.error) return `mount could not run: ${r.error.message}`;
  return r.status === 0 ? null : `mount -t tmpfs failed (${(r.stderr || `exit ${r.status}`).trim()})`;
}

/** Why a tmpfs cannot be mounted here, or null when it can (probed once, at collection time). */
export const tmpfsUnavailable: string | null = (() => {
  if (process.platform !== 'linux') return `tmpfs mounts need Linux (this is ${process.platform})`;
  const dir = mkdtempSync(join(tmpdir(), 'porchlight-probe-'));
  const why = mountTmpfs(dir, 64);
  if (why === null) spawnSync(TOOLS.umount, [dir]);
  rmSync(dir, { recursive: true, force: true });
  return why === null ? null : `cannot mount a tmpfs for the full-disk tests: ${why}`;
})();

export function mountSmallDisk(sizeKiB: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'porchlight-disk-'));
  const why = mountTmpfs(dir, sizeKiB);
  if (why !== null) throw new Error(why);
  const filler = join(dir, 'filler');
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      const chunk = Buffer.alloc(4096);
      let taken = 0;
      try {
        for (;;) taken += writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
      return taken;
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      const r = spawnSync(TOOLS.umount, ['-l', dir], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`umount ${dir} failed: ${r.stderr}`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
