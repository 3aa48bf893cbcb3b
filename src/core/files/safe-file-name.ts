// A name from the network made safe to create in the policy folder on any OS:
// no path separators, `..`, NUL or controls, no Windows reserved device names
// (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with any extension), no trailing dots or
// spaces, at most 200 characters. Never empty.

const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// Matching control characters is the point of this pattern.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f<>:"/\\|?*\u202a-\u202e\u2066-\u2069]/g;

export function safeFileName(name: string): string {
  let clean = name.normalize('NFC').replace(UNSAFE, '_');
  clean = clean.replace(/^[. ]+/, '').replace(/[. ]+$/, '');
  if (clean.length > 200) {
    const dot = clean.lastIndexOf('.');
    const ext = dot > 0 && clean.length - dot <= 17 ? clean.slice(dot) : '';
    clean = clean.slice(0, 200 - ext.length).replace(/[. ]+$/, '') + ext;
  }
  if (clean === '' || clean === '.' || clean === '..') clean = 'file';
  if (RESERVED.test(clean)) clean = `_${clean}`;
  return clean;
}

/** `name`, or `name (2).ext`, `name (3).ext`, ... : the first that `taken` says is free. */
export function uniqueFileName(name: string, taken: (candidate: string) => boolean): string {
  if (!taken(name)) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 2; n < 10_000; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!taken(candidate)) return candidate;
  }
  throw new Error('no free file name');
}
