// Canonical JSON per RFC 8785 (JCS): object keys sorted by UTF-16 code units,
// no whitespace, numbers and strings serialised as ECMAScript JSON does.
// Browser-safe (no Node imports) so the technician console can use it too.

export class CanonicalJsonError extends Error {
  readonly code = 'bad-frame';
}
export function canonicalize(value: unknown): string {
  return serialize(value, []);
}

/** Strings JSON.stringify would only quote: no quote, backslash, control character or surrogate. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must take the escaping path
const PLAIN_STRING = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

function serializeString(value: string): string {
  if (PLAIN_STRING.test(value)) return `"${value}"`;
  // RFC 8785 works on I-JSON: a lone surrogate has no canonical form.
  if (!value.isWellFormed()) throw new CanonicalJsonError('string with a lone surrogate has no canonical form');
  return JSON.stringify(value);
}
// Hot path (signing, audit hashing and verification): plain loops and string
// appends; `path` holds the objects being serialised, to refuse cycles.
function serialize(value: unknown, path: object[]): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError('non-finite number has no JSON form');
      // ES Number::toString is exactly JCS's number form; -0 serialises as 0.
      return JSON.stringify(value);
    case 'string':
      return serializeString(value);
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(`${typeof value} has no JSON form`);
  }
  const obj = value as object;
  if (path.includes(obj)) throw new CanonicalJsonError('cyclic value has no JSON form');
  path.push(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = '[';
    for (let i = 0; i < obj.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = obj[i];
      out += item === undefined ? 'null' : serialize(item, path);
    }
    out += ']';
  } else {
    const record = obj as Record<string, unknown>;
    // Default sort compares UTF-16 code units, which is what RFC 8785 asks for.
    const keys = Object.keys(record).sort();
    out = '{';
    let first = true;
    for (const k of keys) {
      const v = record[k];
      if (v === undefined) continue;
      out += `${first ? '' : ','}${serializeString(k)}:${serialize(v, path)}`;
      first = false;
    }
    out += '}';
  }
  path.pop();
  return out;
}
