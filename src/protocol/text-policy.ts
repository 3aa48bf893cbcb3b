// One text policy for every human-readable string that arrives from the
// network. Schemas reject what breaks it (so the signed, shown and audited
// text are the same bytes); producers (CLI, relay) call `neutraliseText`
// before signing so honest input passes. Browser-safe, no I/O.
//
// Why each rule: invisible and zero-width characters make blank or look-alike
// names; direction marks reorder neighbouring digits (a fake verification code);
// line/paragraph separators vanish when drawn on one line; piled-up combining
// marks ("zalgo") paint over neighbouring lines; non-NFC text makes two
// different byte strings look the same.

export type TextKind = 'line' | 'multiline';

/** Stable codes, part of the zod issue message: `text:<code>`. */
export const TEXT_ISSUES = ['control', 'invisible', 'direction', 'separator', 'combining', 'not-nfc', 'blank'] as const;
export type TextIssue = (typeof TEXT_ISSUES)[number];

/** Most combining marks allowed on one base character. */
export const MAX_COMBINING_PER_BASE = 2;

// Matching control characters is the point of these patterns.
/* eslint-disable no-control-regex */
const CONTROL_LINE = /[\u0000-\u001f\u007f-\u009f]/u;
const CONTROL_MULTILINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;
/* eslint-enable no-control-regex */
/** Zero-width, invisible fillers, soft hyphen, tag characters (and LRM/RLM, which sit in U+200B-U+200F). */
const INVISIBLE_SOURCE = '\\u200b-\\u200f\\u2060-\\u2064\\ufeff\\u00ad\\u3164\\uffa0\\u2800\\u115f\\u1160\\u180e\\u{e0000}-\\u{e007f}';
/** Embeddings, overrides, isolates and the Arabic letter mark: they change the order of what follows. */
const DIRECTION_SOURCE = '\\u202a-\\u202e\\u2066-\\u2069\\u061c';
const SEPARATOR_SOURCE = '\\u2028\\u2029';
const INVISIBLE = new RegExp(`[${INVISIBLE_SOURCE}]`, 'u');
const DIRECTION = new RegExp(`[${DIRECTION_SOURCE}]`, 'u');
const SEPARATOR = new RegExp(`[${SEPARATOR_SOURCE}]`, 'u');
const TOO_MANY_MARKS = new RegExp(`\\p{M}{${MAX_COMBINING_PER_BASE + 1},}`, 'u');
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** The first rule `text` breaks, or undefined when it is fine to show and audit as is. */
export function textIssue(text: string, kind: TextKind): TextIssue | undefined {
  if ((kind === 'line' ? CONTROL_LINE : CONTROL_MULTILINE).test(text)) return 'control';
  if (INVISIBLE.test(text)) return 'invisible';
  // Direction marks are refused everywhere: each field is isolated when shown, so none is needed.
  if (DIRECTION.test(text)) return 'direction';
  if (kind === 'line' && SEPARATOR.test(text)) return 'separator';
  if (TOO_MANY_MARKS.test(text)) return 'combining';
  if (text.normalize('NFC') !== text) return 'not-nfc';
  if (!VISIBLE.test(text)) return 'blank';
  return undefined;
}

const STRIP = new RegExp(`[${INVISIBLE_SOURCE}${DIRECTION_SOURCE}]`, 'gu');
/* eslint-disable no-control-regex */
const CONTROLS_LINE_G = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/gu;
const CONTROLS_MULTILINE_G = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/gu;
/* eslint-enable no-control-regex */
const MARK_RUN = /\p{M}+/gu;

/**
 * What a producer sends instead of raw input: NFC, invisible and direction characters removed, controls (and line
 * separators in one-line text) turned into spaces, combining marks capped. The result passes `textIssue` unless
 * nothing visible is left (`blank`), which the caller reports.
 */
export function neutraliseText(text: string, kind: TextKind): string {
  let out = text.normalize('NFC').replace(STRIP, '');
  out = out.replace(kind === 'line' ? CONTROLS_LINE_G : CONTROLS_MULTILINE_G, kind === 'line' ? ' ' : '\n');
  out = out.replace(MARK_RUN, (run) => [...run].slice(0, MAX_COMBINING_PER_BASE).join(''));
  // Stripping can leave a decomposed pair next to each other again; capping can leave a mark NFC would fold.
  out = out.normalize('NFC');
  // NFC can compose a base with one mark and leave more: cap once more, stable after that.
  return out.replace(MARK_RUN, (run) => [...run].slice(0, MAX_COMBINING_PER_BASE).join('')).trim();
}

/** Every character one-line text may not hold, as a `u`-flag regex class (the JSON Schema of policy text uses it). */
export const REFUSED_IN_LINE_SOURCE = `[\\u0000-\\u001f\\u007f-\\u009f${SEPARATOR_SOURCE}${INVISIBLE_SOURCE}${DIRECTION_SOURCE}]`;
const TERMINAL_UNSAFE_LINE = new RegExp(REFUSED_IN_LINE_SOURCE, 'gu');
const TERMINAL_UNSAFE_MULTILINE = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${SEPARATOR_SOURCE}${INVISIBLE_SOURCE}${DIRECTION_SOURCE}]`, 'gu');

/**
 * Text for a terminal (CLI, relay log): what this policy refuses is shown as a visible `<U+202E>` instead of
 * acting on the terminal (escape sequences, a reordered line, an invisible name), and piled-up combining marks are
 * capped. Unlike `neutraliseText` nothing is silently dropped: the technician sees that something was there.
 * `multiline` keeps newlines and tabs (a multi-line message the CLI wrote itself).
 */
export function terminalText(text: string, kind: TextKind = 'line'): string {
  const escaped = text.replace(kind === 'line' ? TERMINAL_UNSAFE_LINE : TERMINAL_UNSAFE_MULTILINE, (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`);
  return escaped.replace(MARK_RUN, (run) => [...run].slice(0, MAX_COMBINING_PER_BASE).join(''));
}

/** Human reason per issue, for CLI and error text. */
export const TEXT_ISSUE_MEANINGS: Record<TextIssue, string> = {
  control: 'contains control characters',
  invisible: 'contains invisible or zero-width characters',
  direction: 'contains text-direction characters',
  separator: 'contains a line or paragraph separator in one-line text',
  combining: `stacks more than ${MAX_COMBINING_PER_BASE} combining marks on one character`,
  'not-nfc': 'is not in Unicode NFC form',
  blank: 'has nothing visible',
};
