// Table-driven over the whole message schema map: every object in every message refuses an
// unknown key, and every text field of every message refuses direction overrides and control
// characters. A new message type or field is covered the day it gets a sample.
import { describe, expect, it } from 'vitest';
import { MESSAGE_TYPES, parseFrame } from '../../src/protocol/index.js';
import { sampleMessages } from '../fixtures/sample-messages.js';

const samples = sampleMessages();
type Path = ReadonlyArray<string | number>;

/** Every path to a plain object and to a string leaf inside a message. */
function walk(value: unknown, path: Path = [], out = { objects: [] as Path[], strings: [] as Path[] }) {
  if (typeof value === 'string') out.strings.push(path);
  else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i], out));
  else if (value !== null && typeof value === 'object') {
    out.objects.push(path);
    for (const [k, v] of Object.entries(value)) walk(v, [...path, k], out);
  }
  return out;
}

function patched(message: unknown, path: Path, change: (at: unknown) => unknown): string {
  const copy = structuredClone(message) as Record<string | number, unknown>;
  if (path.length === 0) return JSON.stringify(change(copy));
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  parent[last] = change(parent[last]);
  return JSON.stringify(copy);
}

const where = (type: string, path: Path) => `${type}${path.map((p) => `.${p}`).join('')}`;
const objectCases = MESSAGE_TYPES.flatMap((type) => walk(samples[type]).objects.map((path) => [where(type, path), type, path] as const));
const stringCases = MESSAGE_TYPES.flatMap((type) => walk(samples[type]).strings.filter((p) => p.at(-1) !== 'type').map((path) => [where(type, path), type, path] as const));

/** Right-to-left and isolate overrides, C0 controls (NUL, BEL, ESC, DEL) and C1 controls (NEL, CSI). */
const HOSTILE = ['\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u009b'];

describe('every message refuses what it does not define', () => {
  it('covers every message type and reaches nested objects', () => {
    expect(new Set(objectCases.map(([, type]) => type))).toEqual(new Set(MESSAGE_TYPES));
    expect(objectCases.length).toBeGreaterThan(MESSAGE_TYPES.length);
  });

  it.each(objectCases)('%s with an unknown key is a bad-frame', (_name, type, path) => {
    const result = parseFrame(patched(samples[type], path, (o) => ({ ...(o as object), smuggled: true })));
    expect(result).toMatchObject({ ok: false, code: 'bad-frame' });
  });
});

describe('every text field refuses direction overrides and control characters', () => {
  it.each(stringCases)('%s', (_name, type, path) => {
    const accepted = HOSTILE.filter((c) => parseFrame(patched(samples[type], path, (s) => `${String(s).slice(0, 4)}${c}${String(s).slice(4)}`)).ok);
    expect(accepted.map((c) => `U+${c.codePointAt(0)!.toString(16).padStart(4, '0')}`)).toEqual([]);
  });
});
