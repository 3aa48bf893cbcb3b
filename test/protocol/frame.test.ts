import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame, errorMessage, MAX_FRAME_BYTES, MESSAGE_TYPES, parseFrame, type FrameResult } from '../../src/protocol/index.js';
import { sampleMessages } from '../fixtures/sample-messages.js';

const samples = sampleMessages();
const frame = (value: unknown) => JSON.stringify(value);
const withField = (type: keyof typeof samples, patch: Record<string, unknown>) => frame({ ...samples[type], ...patch });
const codeOf = (r: FrameResult) => (r.ok ? 'ok' : r.code);

describe('parseFrame: round trips', () => {
  it.each(MESSAGE_TYPES.map((t) => [t]))('%s survives encode -> parse unchanged', (type) => {
    const msg = samples[type];
    const parsed = parseFrame(encodeFrame(msg));
    expect(parsed).toEqual({ ok: true, msg });
  });

  it('has a sample for every registered type', () => {
    expect(Object.keys(samples).sort()).toEqual([...MESSAGE_TYPES].sort());
  });

  it('the agent audit anchor is optional (agents from before it still parse)', () => {
    const { audit: _audit, ...bare } = samples['session.decision'];
    expect(parseFrame(frame(bare))).toEqual({ ok: true, msg: bare });
  });

  it('accepts the technician hello as well as the agent hello', () => {
    const r = parseFrame(frame({ v: 1, type: 'hello', id: 'h1', role: 'technician', token: 'x'.repeat(32) }));
    expect(r.ok).toBe(true);
  });
});

describe('parseFrame: each invalid shape gives its code', () => {
  it.each([
    ['not a string', 42, 'bad-frame'],
    ['not JSON', '{v:1', 'bad-frame'],
    ['a JSON array', '[1,2]', 'bad-frame'],
    ['a JSON string', '"hello"', 'bad-frame'],
    ['JSON null', 'null', 'bad-frame'],
    ['missing version', frame({ type: 'error', id: 'a', code: 'internal' }), 'bad-version'],
    ['version 2', frame({ v: 2, type: 'error', id: 'a', code: 'internal' }), 'bad-version'],
    ['version "1"', frame({ v: '1', type: 'error', id: 'a', code: 'internal' }), 'bad-version'],
    ['unknown type', frame({ v: 1, type: 'session.hijack', id: 'a' }), 'unknown-type'],
    ['prototype key as type', frame({ v: 1, type: '__proto__', id: 'a' }), 'unknown-type'],
    ['inherited name as type', frame({ v: 1, type: 'toString', id: 'a' }), 'unknown-type'],
    ['unknown key', withField('session.cancel', { extra: true }), 'bad-frame'],
    ['missing id', frame({ v: 1, type: 'session.cancel', requestId: 'r' }), 'bad-frame'],
    ['unknown scope', withField('tech.request', { scopes: ['view', 'root'] }), 'bad-frame'],
    ['duplicate scope', withField('tech.request', { scopes: ['view', 'view'] }), 'bad-frame'],
    ['no scopes', withField('tech.request', { scopes: [] }), 'bad-frame'],
    ['bad ticket id', withField('tech.request', { ticket: { id: '<script>' } }), 'bad-frame'],
    ['javascript: ticket url', withField('tech.request', { ticket: { id: 'INC1', url: 'javascript:alert(1)' } }), 'bad-frame'],
    ['file: ticket url', withField('tech.request', { ticket: { id: 'INC1', url: 'file:///etc/passwd' } }), 'bad-frame'],
    ['timestamp with offset', withField('session.pending', { expiresAt: '2026-11-24T10:00:00+02:00' }), 'bad-frame'],
    ['timestamp not a date', withField('session.pending', { expiresAt: 'tomorrow' }), 'bad-frame'],
    ['reason too long', withField('tech.request', { reason: 'x'.repeat(501) }), 'bad-frame'],
    ['bidi override in reason', withField('tech.request', { reason: 'pay \u202Eexe.txt' }), 'bad-frame'],
    ['control char in narration', withField('session.narration', { text: 'a\u0007b' }), 'bad-frame'],
    ['blank narration', withField('session.narration', { text: '   ' }), 'bad-frame'],
    ['path in file name', withField('session.file-transfer', { name: '../../etc/passwd' }), 'bad-frame'],
    ['negative file size', withField('session.file-transfer', { size: -1 }), 'bad-frame'],
    ['uppercase sha256', withField('session.file-transfer', { sha256: 'A'.repeat(64) }), 'bad-frame'],
    ['short signature', withField('session.request', { sig: 'abc' }), 'bad-frame'],
    ['verification code with letters', withField('session.pending', { verificationCode: '48291a' }), 'bad-frame'],
    ['unknown error code', withField('error', { code: 'teapot' }), 'bad-frame'],
    ['escalation asking for nothing', withField('tech.scope-request', { scopes: [] }), 'bad-frame'],
    ['audit anchor seq 0', withField('session.decision', { audit: { seq: 0, hash: 'd'.repeat(64) } }), 'bad-frame'],
    ['audit anchor seq not an integer', withField('session.started', { audit: { seq: 1.5, hash: 'd'.repeat(64) } }), 'bad-frame'],
    ['audit anchor seq as a string', withField('session.end', { audit: { seq: '3', hash: 'd'.repeat(64) } }), 'bad-frame'],
    ['audit anchor uppercase hash', withField('session.summary', { audit: { seq: 3, hash: 'D'.repeat(64) } }), 'bad-frame'],
    ['audit anchor short hash', withField('session.decision', { audit: { seq: 3, hash: 'd'.repeat(63) } }), 'bad-frame'],
    ['audit anchor without hash', withField('session.decision', { audit: { seq: 3 } }), 'bad-frame'],
    ['audit anchor with an extra key', withField('session.decision', { audit: { seq: 3, hash: 'd'.repeat(64), prevHash: 'd'.repeat(64) } }), 'bad-frame'],
    ['audit anchor on a technician message', withField('tech.request', { audit: { seq: 3, hash: 'd'.repeat(64) } }), 'bad-frame'],
  ])('%s -> %s', (_name, input, code) => {
    expect(codeOf(parseFrame(input))).toBe(code);
  });

  it('rejects frames over 64 KiB before parsing them', () => {
    const big = frame({ ...samples['session.narration'], text: 'x'.repeat(MAX_FRAME_BYTES) });
    expect(codeOf(parseFrame(big))).toBe('too-large');
    // Counted in UTF-8 bytes, not characters: 22,000 three-byte characters are 66,000 bytes.
    const multibyte = `{"v":1,"pad":"${'€'.repeat(22_000)}"}`;
    expect(multibyte.length).toBeLessThan(MAX_FRAME_BYTES);
    expect(codeOf(parseFrame(multibyte))).toBe('too-large');
  });

  it('answers with the offending message id when it can be read', () => {
    const r = parseFrame(frame({ v: 1, type: 'session.cancel', id: 'abc-1', requestId: 7 }));
    expect(r).toMatchObject({ ok: false, code: 'bad-frame', re: 'abc-1' });
  });

  it('refuses types not accepted by the receiver', () => {
    const r = parseFrame(encodeFrame(samples['session.request']), ['welcome', 'error']);
    expect(codeOf(r)).toBe('unexpected-type');
  });

  it('never echoes offending values in the detail', () => {
    const r = parseFrame(withField('tech.request', { reason: '<img src=x onerror=alert(1)>'.repeat(30) }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.detail).not.toContain('<img');
  });
});

describe('parseFrame: property tests', () => {
  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (s) => {
        const r = parseFrame(s);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 10_000, seed: 1 },
    );
  });

  it('never throws on arbitrary JSON, and rejects with a stable code', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const r = parseFrame(JSON.stringify(value));
        if (!r.ok) expect(['bad-frame', 'bad-version', 'unknown-type', 'too-large']).toContain(r.code);
      }),
      { numRuns: 10_000, seed: 2 },
    );
  });

  it('never throws on message-shaped JSON with arbitrary fields', () => {
    const arbMessage = fc.record({
      v: fc.constantFrom(1, 1, 1, 2, '1'),
      type: fc.constantFrom(...MESSAGE_TYPES, 'nope'),
      id: fc.oneof(fc.constant('m-1'), fc.string()),
      payload: fc.option(fc.jsonValue({ maxDepth: 3 })),
      scopes: fc.option(fc.array(fc.string({ maxLength: 12 }))),
      sig: fc.option(fc.string()),
    });
    fc.assert(
      fc.property(arbMessage, (value) => {
        const r = parseFrame(JSON.stringify(value));
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 10_000, seed: 3 },
    );
  });

  it('survives deeply nested JSON', () => {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    expect(codeOf(parseFrame(deep))).toBe('bad-frame');
  });
});

describe('encodeFrame and errorMessage', () => {
  it('refuses to send an invalid message', () => {
    expect(() => encodeFrame({ ...samples['session.cancel'], requestId: '' })).toThrow(/invalid message/);
  });

  it('builds error replies that parse, with control characters stripped from the detail', () => {
    const msg = errorMessage('rate-limited', 'slow\u0000 down', 'm-1');
    const r = parseFrame(encodeFrame(msg));
    expect(r).toMatchObject({ ok: true, msg: { type: 'error', code: 'rate-limited', detail: 'slow  down', re: 'm-1' } });
  });
});
