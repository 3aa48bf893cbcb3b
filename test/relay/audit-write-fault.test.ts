// Each write fault becomes `audit-unavailable` with its cause in words; anything else stays what it is.
import { describe, expect, it } from 'vitest';
import { auditWriteFault } from '../../src/relay/audit/audit-write-fault.js';

const errno = (code: string) => Object.assign(new Error(`${code}: write failed`), { code });
const sqlite = (errcode: number, errstr: string) => Object.assign(new Error(errstr), { code: 'ERR_SQLITE_ERROR', errcode, errstr });

describe('auditWriteFault', () => {
  it.each([
    [errno('ENOSPC'), /disk is full \(ENOSPC\)/],
    [errno('EDQUOT'), /quota is used up \(EDQUOT\)/],
    [errno('EIO'), /I\/O error \(EIO\)/],
    [sqlite(13, 'database or disk is full'), /disk is full \(SQLite: database or disk is full\)/],
    [sqlite(10 | (3 << 8), 'disk I/O error'), /I\/O error \(SQLite: disk I\/O error\)/],
    [new Error('database or disk is full'), /disk is full/],
  ])('names %s', (err, words) => {
    const fault = auditWriteFault(err);
    expect(fault?.code).toBe('audit-unavailable');
    expect(fault?.message).toMatch(words);
  });

  it('leaves other errors alone', () => {
    expect(auditWriteFault(new TypeError('x is undefined'))).toBeNull();
    expect(auditWriteFault(sqlite(19, 'UNIQUE constraint failed: audit.seq'))).toBeNull();
  });
});
