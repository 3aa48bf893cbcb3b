// The process's open-files limit (RLIMIT_NOFILE): every socket costs one
// descriptor, so it bounds how many agents and technicians one relay can hold.
//
// Node has no setrlimit. On POSIX Node itself raises the soft limit to the hard
// one at start (PlatformInit in node.cc), so normally there is nothing left to
// do; when the soft limit is still below the hard one (another runtime, an
// embedding), `prlimit --pid` from util-linux raises it: raising up to the hard
// limit needs no privilege. The numbers are read from /proc/self/limits, the
// only place Node can see them, so the relay can log both and size its budget.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface OpenFilesLimit {
  soft: number;
  /** Infinity for "unlimited". */
  hard: number;
  /** Set when this process raised its soft limit: what it was before. */
  raisedFrom?: number;
}

/** From /proc/self/limits; null where there is none (not Linux) or it does not parse. */
export function readOpenFilesLimit(read: () => string = () => readFileSync('/proc/self/limits', 'utf8')): OpenFilesLimit | null {
  let text: string;
  try {
    text = read();
  } catch {
    return null;
  }
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  if (!m) return null;
  const value = (s: string) => (s === 'unlimited' ? Number.POSITIVE_INFINITY : Number(s));
  return { soft: value(m[1]!), hard: value(m[2]!) };
}

/** Raise the soft limit to the hard one if it is below (and say so); the limit in force afterwards. */
export function raiseOpenFilesLimit(log: (line: string) => void): OpenFilesLimit | null {
  const before = readOpenFilesLimit();
  if (!before || before.soft >= before.hard || !Number.isFinite(before.hard)) return before;
  const r = spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${before.hard}:${before.hard}`], { encoding: 'utf8', timeout: 5000 });
  const after = readOpenFilesLimit();
  if (r.status !== 0 || !after || after.soft === before.soft) {
    const why = r.error ? r.error.message : (r.stderr || `exit ${r.status}`).trim();
    log(`relay: could not raise the open-files soft limit ${before.soft} to the hard limit ${before.hard} (prlimit: ${why})`);
    return before;
  }
  return { ...after, raisedFrom: before.soft };
}
