// File names from the network, made safe for any OS (issue 16).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeFileName, uniqueFileName } from '../../../src/core/files/safe-file-name.js';

describe('safe file names', () => {
  it('removes separators, traversal, NUL and controls, trailing dots and spaces, and defuses reserved names', () => {
    expect(safeFileName('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(safeFileName('..\\..\\Windows\\win.ini')).toBe('_.._Windows_win.ini');
    expect(safeFileName('a\u0000b.txt')).toBe('a_b.txt');
    expect(safeFileName('tool.exe. . ')).toBe('tool.exe');
    expect(safeFileName('CON')).toBe('_CON');
    expect(safeFileName('nul.txt')).toBe('_nul.txt');
    expect(safeFileName('LPT9.log')).toBe('_LPT9.log');
    expect(safeFileName('COM¹')).toBe('_COM¹');
    expect(safeFileName('..')).toBe('file');
    expect(safeFileName('report\u202egnp.exe')).toBe('report_gnp.exe');
    expect(safeFileName('x'.repeat(300) + '.pdf')).toMatch(/^x{196}\.pdf$/);
  });

  it('always gives a plain, non-empty, bounded name', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (name) => {
        const safe = safeFileName(name);
        expect(safe.length).toBeGreaterThan(0);
        expect(safe.length).toBeLessThanOrEqual(201);
        expect(safe.includes('/') || safe.includes('\\') || safe.includes('\u0000')).toBe(false);
        expect(safe).not.toMatch(/[. ]$/);
        expect(['.', '..']).not.toContain(safe);
        expect(safe).not.toMatch(/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i);
      }),
      { numRuns: 5000 },
    );
  });

  it('a taken name gets a numbered suffix before its extension', () => {
    const taken = new Set(['a.txt', 'a (2).txt']);
    expect(uniqueFileName('a.txt', (n) => taken.has(n))).toBe('a (3).txt');
    expect(uniqueFileName('README', () => false)).toBe('README');
  });
});
