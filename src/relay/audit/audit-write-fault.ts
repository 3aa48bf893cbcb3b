// Why a central-audit write failed, in words and with the stable code
// `audit-unavailable`: a full disk, an exhausted quota or an I/O error must
// reach the technician and the relay log as what it is, never as `internal`.
import { StorageUnavailableError } from '../storage/postgres-errors.js';

/** SQLite primary result codes (the low byte of an extended code). */
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_FULL = 13;

const BY_ERRNO: Record<string, string> = {
  ENOSPC: "the relay's disk is full (ENOSPC)",
  EDQUOT: "the relay's disk quota is used up (EDQUOT)",
  EIO: "the relay's disk reported an I/O error (EIO)",
  EROFS: "the relay's disk is read-only (EROFS)",
};

/** The write fault in words, or null when `err` is not one (a bug, a bad record: those stay what they are). */
export function auditWriteFault(err: unknown): StorageUnavailableError | null {
  if (err instanceof StorageUnavailableError) return err;
  const e = (err ?? {}) as { code?: unknown; errcode?: unknown; errstr?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const errcode = typeof e.errcode === 'number' ? e.errcode & 0xff : -1;
  const message = typeof e.message === 'string' ? e.message : '';
  const words = (cause: string) => new StorageUnavailableError(cause, { cause: err });
  const byErrno = BY_ERRNO[code];
  if (byErrno !== undefined) return words(byErrno);
  if (errcode === SQLITE_FULL || /database or disk is full/i.test(message)) {
    return words("the relay's disk is full (SQLite: database or disk is full)");
  }
  if (errcode === SQLITE_IOERR || /disk I\/O error/i.test(message)) return words(`the relay's disk reported an I/O error (SQLite: ${message})`);
  if (errcode === SQLITE_READONLY) return words(`the relay's database is read-only (SQLite: ${message})`);
  return null;
}

/** What a technician or agent is told when the relay could not record: the cause, and that nothing went ahead. */
export function auditUnavailableDetail(fault: StorageUnavailableError): string {
  return `the relay cannot write its audit log (${fault.message}); nothing was forwarded`;
}
