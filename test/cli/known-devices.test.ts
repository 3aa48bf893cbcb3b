// Trust on first use for device keys (like SSH known_hosts), on real files.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnownDevices, KnownDevicesError, keyChangeWarning, knownDevicesPath } from '../../src/cli/known-devices.js';

const A = 'AAAA-BBBB-CCCC-DDDD-EEEE';
const B = 'FFFF-GGGG-HHHH-IIII-JJJJ';
const C = 'KKKK-LLLL-MMMM-NNNN-OOOO';
const at = '2026-12-03T10:00:00.000Z';
const RELAY = 'RELA-YKEY-FING-ERPR-INT2';

function store(): KnownDevices {
  return new KnownDevices(join(mkdtempSync(join(tmpdir(), 'pl-known-')), 'porchlight', 'known-devices.json'));
}

describe('known devices (trust on first use)', () => {
  it('lives in the technician config dir and respects XDG_CONFIG_HOME', () => {
    expect(knownDevicesPath({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/t' }, 'linux')).toBe('/x/cfg/porchlight/known-devices.json');
    expect(knownDevicesPath({ HOME: '/home/t' }, 'linux')).toBe('/home/t/.config/porchlight/known-devices.json');
    // A relative XDG_CONFIG_HOME is invalid per the spec and ignored.
    expect(knownDevicesPath({ XDG_CONFIG_HOME: 'rel', HOME: '/home/t' }, 'linux')).toBe('/home/t/.config/porchlight/known-devices.json');
  });

  it('remembers a first use in a private file, then accepts the same key', () => {
    const s = store();
    expect(s.check(RELAY, 'dev-1', { fingerprint: A, rekeys: [] }, at)).toEqual({ kind: 'first-use', fingerprint: A });
    expect(new KnownDevices(s.path).check(RELAY, 'dev-1', { fingerprint: A, rekeys: [] }, at)).toEqual({ kind: 'known', fingerprint: A });
    if (process.platform !== 'win32') expect(statSync(s.path).mode & 0o077).toBe(0);
  });

  it('refuses a changed key without an audited re-key, naming both fingerprints, and keeps the old one', () => {
    const s = store();
    s.check(RELAY, 'dev-1', { fingerprint: A, rekeys: [] }, at);
    const v = s.check(RELAY, 'dev-1', { fingerprint: B, rekeys: [] }, at);
    expect(v).toEqual({ kind: 'changed', known: A, presented: B });
    if (v.kind !== 'changed') throw new Error('expected a refusal');
    const text = keyChangeWarning('dev-1', v, s.path);
    expect(text).toContain(A);
    expect(text).toContain(B);
    expect(text).toMatch(/HAS CHANGED/);
    // Still refused next time: a refusal never updates the store.
    expect(s.check(RELAY, 'dev-1', { fingerprint: B, rekeys: [] }, at).kind).toBe('changed');
  });

  it('refuses a re-key chain that does not start at the remembered key', () => {
    const s = store();
    s.check(RELAY, 'dev-1', { fingerprint: A, rekeys: [] }, at);
    expect(s.check(RELAY, 'dev-1', { fingerprint: C, rekeys: [{ at, from: B, to: C }] }, at).kind).toBe('changed');
  });

  it('follows audited re-keys from the remembered key and remembers the new one', () => {
    const s = store();
    s.check(RELAY, 'dev-1', { fingerprint: A, rekeys: [] }, at);
    const rekeys = [{ at, from: A, to: B }, { at, from: B, to: C }];
    expect(s.check(RELAY, 'dev-1', { fingerprint: C, rekeys }, at)).toEqual({ kind: 'rekeyed', from: A, to: C });
    expect(s.check(RELAY, 'dev-1', { fingerprint: C, rekeys: [] }, at)).toEqual({ kind: 'known', fingerprint: C });
  });

  it('keeps devices of different relays apart', () => {
    const s = store();
    s.check(RELAY, 'dev-1', { fingerprint: A, rekeys: [] }, at);
    expect(s.check('OTHE-RREL-AYKE-YFIN-GERP', 'dev-1', { fingerprint: B, rekeys: [] }, at).kind).toBe('first-use');
  });

  it('refuses to start over when the file is damaged', () => {
    const s = store();
    s.check(RELAY, 'dev-1', { fingerprint: A, rekeys: [] }, at);
    writeFileSync(s.path, readFileSync(s.path, 'utf8').replace(A, 'not-a-fingerprint'));
    expect(() => s.check(RELAY, 'dev-1', { fingerprint: B, rekeys: [] }, at)).toThrow(KnownDevicesError);
  });
});
