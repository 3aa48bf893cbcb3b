// UTS #39 style checks on a name the user must trust (technician, organisation):
// letters from more than one script ("Мicrosoft" with a Cyrillic M) or symbols
// posing as badges ("✅ Verified"). Such names are allowed (people have them)
// but shown with a warning and recorded in the audit. Implemented on the
// Unicode Script property of the JS regex engine: no confusables data to go
// stale, and the restriction levels of UTS #39 §5.2 ("highly restrictive").

export const NAME_WARNINGS = ['mixed-script', 'symbols'] as const;
export type NameWarning = (typeof NAME_WARNINGS)[number];

// Scripts we tell apart. A letter in none of them counts as its own "Other" script.
const SCRIPTS = [
  'Latin', 'Cyrillic', 'Greek', 'Armenian', 'Georgian', 'Hebrew', 'Arabic', 'Syriac', 'Thaana', 'Devanagari',
  'Bengali', 'Gurmukhi', 'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Thai', 'Lao',
  'Tibetan', 'Myanmar', 'Khmer', 'Ethiopic', 'Cherokee', 'Mongolian', 'Han', 'Hiragana', 'Katakana', 'Hangul',
  'Bopomofo',
] as const;
type ScriptName = (typeof SCRIPTS)[number] | 'Other';

const SCRIPT_TESTS = SCRIPTS.map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')] as const);
const SCRIPT_NEUTRAL = /[\p{Script=Common}\p{Script=Inherited}]/u;
/** CJK writing systems that legitimately mix scripts (UTS #39 "highly restrictive"). */
const ALLOWED_MIXES: readonly (readonly ScriptName[])[] = [
  ['Han', 'Hiragana', 'Katakana'],
  ['Han', 'Bopomofo'],
  ['Han', 'Hangul'],
];
/** Pictographs, dingbats and other symbols: a name has no reason to wear a tick or a shield. */
const SYMBOL = /[\p{Extended_Pictographic}\p{So}\p{Sk}]/u;

function scriptOf(char: string): ScriptName | undefined {
  if (SCRIPT_NEUTRAL.test(char)) return undefined;
  for (const [name, re] of SCRIPT_TESTS) if (re.test(char)) return name;
  return 'Other';
}

/** The scripts a text's letters come from, in order of first use. */
export function scriptsIn(text: string): ScriptName[] {
  const seen = new Set<ScriptName>();
  for (const char of text) {
    const script = scriptOf(char);
    if (script) seen.add(script);
  }
  return [...seen];
}

/** True when the letters come from one script, plus Latin alongside an allowed CJK mix. */
export function isSingleScript(text: string): boolean {
  const scripts = scriptsIn(text);
  if (scripts.length <= 1) return true;
  const rest = scripts.filter((s) => s !== 'Latin');
  // UTS #39 highly restrictive: Latin may join one of the CJK mixes, nothing else may mix.
  return ALLOWED_MIXES.some((mix) => rest.every((s) => mix.includes(s)));
}

/** Warnings for one name, empty when it looks ordinary. */
export function nameWarnings(name: string): NameWarning[] {
  const warnings: NameWarning[] = [];
  if (!isSingleScript(name)) warnings.push('mixed-script');
  if (SYMBOL.test(name)) warnings.push('symbols');
  return warnings;
}

/** Warnings for the names of one technician identity (name and organisation), merged. */
export function identityWarnings(identity: { name: string; org?: string | undefined }): NameWarning[] {
  const all = new Set([...nameWarnings(identity.name), ...(identity.org ? nameWarnings(identity.org) : [])]);
  return NAME_WARNINGS.filter((w) => all.has(w));
}
