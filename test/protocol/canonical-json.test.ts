import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import referenceCanonicalize from 'canonicalize';
import { canonicalize } from '../../src/protocol/canonical-json.js';

// Reorders object keys recursively (to prove key order never matters).
function shuffleKeys(value: unknown, rng: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, rng));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v, rng)]));
  }
  return value;
}

function hasNoLoneSurrogates(value: unknown): boolean {
  if (typeof value === 'string') return value.isWellFormed();
  if (Array.isArray(value)) return value.every(hasNoLoneSurrogates);
  if (value && typeof value === 'object') return Object.entries(value).every(([k, v]) => k.isWellFormed() && hasNoLoneSurrogates(v));
  return true;
}

const numberEdgeCases = fc.constantFrom(0, -0, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, Number.MIN_SAFE_INTEGER, 0.1 + 0.2, 1 / 3, -1e-300, 1.2345678901234568e20);
const unicodeStrings = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('\u2028\u2029', '\ud800', '€', '\u0000\u001f', '😀', 'ö', '\u00e9\u0301'));
const jsonWithEdges = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    numberEdgeCases,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    unicodeStrings,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(unicodeStrings, tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('canonicalize (RFC 8785)', () => {
  it('matches the RFC examples for key order and numbers', () => {
    expect(canonicalize({ b: 2, a: 1, c: { z: [3, { y: 1, x: 2 }], a: null } })).toBe('{"a":1,"b":2,"c":{"a":null,"z":[3,{"x":2,"y":1}]}}');
    expect(canonicalize({ numbers: [333333333.3333333, 1e30, 4.5, 2e-3, 0.000000000000000000000000001] })).toBe(
      '{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}',
    );
    // Keys sort by UTF-16 code units: '\u20ac' (euro) before '\ud83d\ude00' (emoji) before '\ufb33'.
    expect(canonicalize({ '\ufb33': 1, '😀': 2, '€': 3, '\r': 4, '1': 5 })).toBe('{"\\r":4,"1":5,"€":3,"😀":2,"דּ":1}');
  });

  it('is the same for any key order', () => {
    fc.assert(
      fc.property(jsonWithEdges, fc.integer(), (value, seed) => {
        fc.pre(hasNoLoneSurrogates(value));
        let s = seed;
        const rng = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
        expect(canonicalize(shuffleKeys(value, rng))).toBe(canonicalize(value));
      }),
      { numRuns: 2_000, seed: 11 },
    );
  });

  it('matches the reference implementation (canonicalize package) on generated values', () => {
    fc.assert(
      fc.property(jsonWithEdges, (value) => {
        let expected: string | undefined;
        try {
          expected = referenceCanonicalize(value);
        } catch {
          // The reference refuses lone surrogates (not I-JSON); so must we.
          expect(() => canonicalize(value)).toThrow(/lone surrogate/);
          return;
        }
        expect(canonicalize(value)).toBe(expected);
      }),
      { numRuns: 5_000, seed: 12 },
    );
  });

  it('refuses values JSON cannot represent', () => {
    expect(() => canonicalize({ a: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalize({ a: Infinity })).toThrow(/non-finite/);
    expect(() => canonicalize({ a: 1n })).toThrow(/bigint/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalize(cyclic)).toThrow(/cyclic/);
    expect(() => canonicalize({ ['\ud800']: 1 })).toThrow(/lone surrogate/);
  });
});
