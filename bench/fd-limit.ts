// The bench holds every idle agent's socket here and the relay holds the other end, so
// 50,000 agents need about 100,000 descriptors in all. Raise both processes' RLIMIT_NOFILE
// with util-linux `prlimit` (root may also raise the hard limit; others up to theirs),
// and say what the limit really is, so a smaller run is reported as such.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readOpenFilesLimit } from '../src/relay/open-files-limit.js';

/** The soft open-files limit of a process, from /proc (Linux); undefined elsewhere. */
export function openFilesLimit(pid: number | 'self' = 'self'): number | undefined {
  return readOpenFilesLimit(() => readFileSync(`/proc/${pid}/limits`, 'utf8'))?.soft;
}

/** The hard open-files limit of a process (what an unprivileged process may raise its soft one to). */
export function openFilesHardLimit(pid: number | 'self' = 'self'): number | undefined {
  return readOpenFilesLimit(() => readFileSync(`/proc/${pid}/limits`, 'utf8'))?.hard;
}

/** Try to set a process's open-files limit (soft and hard) to `n`; the soft limit it has afterwards. */
export function raiseOpenFiles(pid: number, n: number): number | undefined {
  const have = openFilesLimit(pid);
  if (have !== undefined && have >= n) return have;
  spawnSync('prlimit', ['--pid', String(pid), `--nofile=${n}:${n}`], { stdio: 'ignore' });
  return openFilesLimit(pid);
}
