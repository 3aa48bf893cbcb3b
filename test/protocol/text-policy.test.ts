// The one text policy for network strings, and the name warnings the dialog and audit show.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineText, multilineText, technician } from '../../src/protocol/primitives.js';
import { identityWarnings, isSingleScript, nameWarnings } from '../../src/protocol/mixed-script.js';
import { MAX_COMBINING_PER_BASE, neutraliseText, textIssue } from '../../src/protocol/text-policy.js';
import type { TextKind } from '../../src/protocol/text-policy.js';

const INVISIBLES = [
  ...'\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u3164\u2800\u115f\u1160\u180e',
  '\u{e0000}', '\u{e0041}', '\u{e007f}',
];
const DIRECTIONS = [...'\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c'];

describe('text policy', () => {
  it.each(INVISIBLES.map((c) => [c.codePointAt(0)!.toString(16), c]))('rejects invisible U+%s in names and reasons', (_, c) => {
    expect(textIssue(`Alice${c}Moreau`, 'line')).toBe('invisible');
    expect(textIssue(`Reason ${c}`, 'multiline')).toBe('invisible');
  });

  it('rejects names made only of fillers (they would render as an empty name)', () => {
    for (const c of ['\u200b', '\u3164', '\u2800']) expect(lineText(100).safeParse(c.repeat(5)).success).toBe(false);
    expect(textIssue('   ', 'line')).toBe('blank');
    expect(textIssue('\u0301', 'line')).toBe('blank');
  });

  it.each(DIRECTIONS.map((c) => [c.codePointAt(0)!.toString(16), c]))('rejects direction character U+%s', (_, c) => {
    expect(textIssue(`Alice ${c}913 482`, 'line')).toBe('direction');
  });

  it('rejects the digit-reordering name from the issue', () => {
    expect(technician.safeParse({ id: 'a', name: 'Alice \u05d0\u200f 913 482', group: 'g' }).success).toBe(false);
  });

  it('rejects line and paragraph separators in one-line fields only', () => {
    expect(textIssue('Alice\u2028Moreau', 'line')).toBe('separator');
    expect(textIssue('Alice\u2029Moreau', 'line')).toBe('separator');
    expect(textIssue('line one\u2028line two', 'multiline')).toBeUndefined();
    expect(textIssue('line one\nline two', 'line')).toBe('control');
    expect(textIssue('line one\nline two\ttab', 'multiline')).toBeUndefined();
  });

  it(`allows ${MAX_COMBINING_PER_BASE} combining marks on a base, not more (zalgo)`, () => {
    expect(textIssue('Nguy\u1ec5n', 'line')).toBeUndefined();
    expect(textIssue('q\u0323\u0307', 'line')).toBeUndefined();
    expect(textIssue('Z\u0336\u0335\u0334algo', 'line')).toBe('combining');
    expect(textIssue(`x${'\u0300\u0316'.repeat(40)}`, 'multiline')).toBe('combining');
  });

  it('requires NFC so two look-alike byte strings cannot both pass', () => {
    expect(textIssue('Ame\u0301lie', 'line')).toBe('not-nfc');
    expect(textIssue('Amélie', 'line')).toBeUndefined();
  });

  it('accepts ordinary names in many scripts', () => {
    for (const name of ['Alice Moreau', 'Zoë O’Brien-Łukasz', 'Ольга Петрова', 'محمد علي', 'שרה כהן', '山田 太郎', '김민준', 'अनुराधा']) {
      expect([name, textIssue(name, 'line')]).toEqual([name, undefined]);
    }
  });

  it('schema issues carry a stable text:<code>', () => {
    const result = lineText(100).safeParse('a\u200bb');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/^text:invisible /);
    expect(multilineText(10).safeParse('x'.repeat(11)).success).toBe(false);
  });

  const kinds = fc.constantFrom<TextKind>('line', 'multiline');
  const hostileChar = fc.constantFrom(...INVISIBLES, ...DIRECTIONS, '\u2028', '\u2029', '\u0301', '\u0336', 'e', 'A', ' ', '\n', '\u0000', '\u05d0', '9');
  const hostileText = fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 4 }), hostileChar), { maxLength: 60 }).map((a) => a.join(''));

  it('property: neutralised text passes the policy unless nothing visible is left', () => {
    fc.assert(
      fc.property(hostileText, kinds, (text, kind) => {
        const out = neutraliseText(text, kind);
        const issue = textIssue(out, kind);
        expect(issue === undefined || issue === 'blank').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: neutralising is idempotent and leaves accepted text unchanged', () => {
    fc.assert(
      fc.property(hostileText, kinds, (text, kind) => {
        const once = neutraliseText(text, kind);
        expect(neutraliseText(once, kind)).toBe(once);
        if (textIssue(text, kind) === undefined) expect(neutraliseText(text, kind)).toBe(text.trim());
      }),
      { numRuns: 2000 },
    );
  });

  it('property: any string with an invisible or direction character is rejected wherever it sits', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(...INVISIBLES, ...DIRECTIONS), fc.string(), kinds, (a, bad, b, kind) => {
        expect(textIssue(`${a}${bad}${b}`, kind)).toBeDefined();
      }),
    );
  });
});

describe('name warnings', () => {
  it('flags a Latin name with a Cyrillic look-alike letter', () => {
    expect(nameWarnings('\u041cicrosoft Support')).toEqual(['mixed-script']);
    expect(nameWarnings('Microsoft Support')).toEqual([]);
  });

  it('flags symbols that pose as badges', () => {
    expect(nameWarnings('\u2705 Verified')).toEqual(['symbols']);
    expect(nameWarnings('Alice 🛡')).toEqual(['symbols']);
  });

  it('allows single-script names and the CJK mixes UTS #39 allows', () => {
    expect(isSingleScript('Ольга Петрова')).toBe(true);
    expect(isSingleScript('山田 たろう')).toBe(true);
    expect(isSingleScript('Sony ソニー 株式会社')).toBe(true);
    expect(isSingleScript('김 金')).toBe(true);
    expect(isSingleScript('Pаypal')).toBe(false);
    expect(isSingleScript('Αlice')).toBe(false);
  });

  it('merges the warnings of the name and the organisation', () => {
    expect(identityWarnings({ name: '\u2705 Alice', org: 'R\u043ebinson Park IT' })).toEqual(['mixed-script', 'symbols']);
    expect(identityWarnings({ name: 'Alice' })).toEqual([]);
  });
});
