// The shared private-CA loader (CLI --ca, config relayCaFile): valid PEM in,
// typed errors out, never a throw; the CA is added to the system roots.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import fc from 'fast-check';
import { readCaBundle, withExtraCa } from '../../../src/core/connection/extra-ca.js';
import { configRelayCa } from '../../../src/core/headless/config-relay-ca.js';
import { hasOpenssl, selfSigned } from '../../relay/self-signed-cert.js';

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'pl-extra-ca-')), 'ca.pem');
  writeFileSync(path, text);
  return path;
};

describe('readCaBundle', () => {
  it.skipIf(!hasOpenssl)('reads every certificate of a PEM bundle, ignoring text around them', () => {
    const a = selfSigned().cert.toString('utf8').trim();
    const b = selfSigned().cert.toString('utf8').trim();
    const r = readCaBundle(file(`# IT's relay CA\n${a}\nsubject=...\n${b}\n`));
    expect(r).toEqual({ ok: true, pem: `${a}\n${b}` });
  });

  it('reports an unreadable file as ca-unreadable', () => {
    expect(readCaBundle(join(tmpdir(), 'pl-no-such-ca.pem'))).toMatchObject({ ok: false, code: 'ca-unreadable', detail: expect.stringContaining('ENOENT') });
  });

  it('reports a file without a certificate, or with a corrupt one, as ca-invalid', () => {
    expect(readCaBundle(file('hello\n'))).toMatchObject({ ok: false, code: 'ca-invalid', detail: expect.stringContaining('no PEM certificate') });
    const corrupt = '-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
    expect(readCaBundle(file(corrupt))).toMatchObject({ ok: false, code: 'ca-invalid', detail: expect.stringContaining('invalid certificate') });
  });

  it.skipIf(!hasOpenssl)('rejects a bundle where one certificate of several is corrupt', () => {
    const good = selfSigned().cert.toString('utf8');
    const bad = good.replace(/(-----BEGIN CERTIFICATE-----\n)(.{8})/, '$1AAAAAAAA');
    expect(readCaBundle(file(`${good}\n${bad}`))).toMatchObject({ ok: false, code: 'ca-invalid' });
  });

  it('never throws on arbitrary file contents', () => {
    const path = file('');
    fc.assert(fc.property(fc.string(), (body) => {
      writeFileSync(path, `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`);
      expect(typeof readCaBundle(path).ok).toBe('boolean');
    }), { numRuns: 200, seed: 7 });
  });

  it('adds the CA to the system roots instead of replacing them', () => {
    const o = withExtraCa('PEM');
    expect(o.ca).toEqual([...rootCertificates, 'PEM']);
  });
});

describe('configRelayCa (the agent config relayCaFile)', () => {
  it('is nothing without relayCaFile, and the PEM with one', () => {
    expect(configRelayCa({ deviceId: 'd' }, 'agent.json')).toEqual({ ok: true, pem: undefined });
    expect(configRelayCa({ deviceId: 'd', relayCaFile: '/etc/ca.pem', policy: { relayUrl: 'wss://r:1' } }, 'agent.json', () => ({ ok: true, pem: 'P' }))).toEqual({ ok: true, pem: 'P' });
  });

  it('refuses a CA for a ws:// relay without reading it (config-invalid)', () => {
    const r = configRelayCa({ deviceId: 'd', relayCaFile: '/etc/ca.pem', policy: { relayUrl: 'ws://r:1' } }, 'agent.json', () => { throw new Error('read'); });
    expect(r).toMatchObject({ ok: false, code: 'config-invalid', detail: expect.stringContaining('only applies to a wss:// relay') });
  });

  it('passes the loader\'s typed error on, naming relayCaFile', () => {
    const path = file('not a cert');
    expect(configRelayCa({ deviceId: 'd', relayCaFile: path }, 'agent.json')).toMatchObject({ ok: false, code: 'ca-invalid', detail: expect.stringMatching(/^relayCaFile: /) });
  });
});
