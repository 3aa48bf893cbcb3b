import { describe, expect, it } from 'vitest';
import { createPrivateKey, sign } from 'node:crypto';
import fc from 'fast-check';
import {
  generateEd25519KeyPair,
  keyFingerprint,
  SIGNING_CONTEXTS,
  signPayload,
  signSessionRequest,
  verifyPayload,
  verifySessionRequestSignature,
  verifyApprovalTokenSignature,
  signApprovalToken,
  verifyHelloProof,
  type SessionRequestPayload,
} from '../../src/protocol/index.js';
import { approvalPayload, approvalsKey, relayKey, requestPayload, sampleHelloContext, sampleMessages } from '../fixtures/sample-messages.js';

describe('Ed25519 over canonical JSON', () => {
  it('verifies a signed session request with the relay key', () => {
    const msg = signSessionRequest(requestPayload(), relayKey);
    expect(verifySessionRequestSignature(msg, relayKey.publicKey)).toBe(true);
  });

  it('fails when any field of the payload changes', () => {
    const payload = requestPayload({ approval: { kind: 'emergency', justification: 'Ransomware beacon', incident: 'SEC-9' } });
    const msg = signSessionRequest(payload, relayKey);
    const mutations: Array<(p: SessionRequestPayload) => void> = [
      (p) => (p.requestId = 'req-0002'),
      (p) => (p.deviceId = 'dev-0002'),
      (p) => (p.technician = { ...p.technician, group: 'admins' }),
      (p) => (p.ticket = { id: 'INC0099999' }),
      (p) => (p.reason += '!'),
      (p) => p.scopes.push('admin'),
      (p) => (p.mode = 'unattended'),
      (p) => (p.estimatedMinutes += 1),
      (p) => (p.verificationCode = '000000'),
      (p) => (p.nonce = 'AAAAAAAAAAAAAAAAAAAAAAAA'),
      (p) => (p.issuedAt = '2026-11-24T10:00:01.000Z'),
      (p) => (p.expiresAt = '2030-01-01T00:00:00.000Z'),
      (p) => (p.approval = undefined),
    ];
    for (const mutate of mutations) {
      const copy = structuredClone(msg);
      mutate(copy.payload);
      expect(verifySessionRequestSignature(copy, relayKey.publicKey)).toBe(false);
    }
  });

  it('fails under another key', () => {
    const msg = signSessionRequest(requestPayload(), relayKey);
    expect(verifySessionRequestSignature(msg, generateEd25519KeyPair().publicKey)).toBe(false);
    expect(verifySessionRequestSignature(msg, approvalsKey.publicKey)).toBe(false);
  });

  it('fails when the signature is made over a non-canonical form or another context', () => {
    const payload = requestPayload();
    const sigOtherContext = signPayload(SIGNING_CONTEXTS.approval, payload, relayKey);
    expect(verifyPayload(SIGNING_CONTEXTS.sessionRequest, payload, sigOtherContext, relayKey.publicKey)).toBe(false);
    // A signature over plain JSON.stringify (not canonical, not wrapped) must not verify.
    const key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: relayKey.privateKey, x: relayKey.publicKey }, format: 'jwk' });
    const naive = sign(null, Buffer.from(JSON.stringify({ ctx: SIGNING_CONTEXTS.sessionRequest, payload })), key).toString('base64url');
    expect(verifyPayload(SIGNING_CONTEXTS.sessionRequest, payload, naive, relayKey.publicKey)).toBe(false);
  });

  it('does not depend on key order in the payload', () => {
    const payload = requestPayload();
    const sig = signPayload(SIGNING_CONTEXTS.sessionRequest, payload, relayKey);
    const reordered = Object.fromEntries(Object.entries(payload).reverse());
    expect(verifyPayload(SIGNING_CONTEXTS.sessionRequest, reordered, sig, relayKey.publicKey)).toBe(true);
  });

  it('never throws on garbage keys or signatures', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (key, sig) => {
        expect(verifyPayload(SIGNING_CONTEXTS.approval, { a: 1 }, sig, key)).toBe(false);
      }),
      { numRuns: 500, seed: 21 },
    );
  });

  it('verifies approval tokens only with the approvals key', () => {
    const token = signApprovalToken(approvalPayload(), approvalsKey);
    expect(verifyApprovalTokenSignature(token, approvalsKey.publicKey)).toBe(true);
    expect(verifyApprovalTokenSignature(token, relayKey.publicKey)).toBe(false);
    expect(verifyApprovalTokenSignature({ ...token, payload: { ...token.payload, deviceId: 'dev-0002' } }, approvalsKey.publicKey)).toBe(false);
  });

  it('verifies the agent hello proof with the key it names, on its own connection only', () => {
    const hello = sampleMessages().hello;
    if (hello.role !== 'agent') throw new Error('sample must be an agent hello');
    const ctx = sampleHelloContext;
    expect(verifyHelloProof(hello, ctx)).toBe(true);
    expect(verifyHelloProof({ ...hello, deviceId: 'dev-0002' }, ctx)).toBe(false);
    expect(verifyHelloProof({ ...hello, devicePublicKey: relayKey.publicKey }, ctx)).toBe(false);
    // Another connection's challenge, relay key or TLS channel: the same hello is worthless.
    const other = 'b3RoZXItY29ubmVjdGlvbi1jaGFsbGVuZ2UtMDAwMDA';
    expect(verifyHelloProof({ ...hello, challenge: other }, { ...ctx, challenge: other })).toBe(false);
    expect(verifyHelloProof(hello, { ...ctx, relayKeyFingerprint: 'AAAA-BBBB-CCCC-DDDD-EEEE' })).toBe(false);
    expect(verifyHelloProof(hello, { ...ctx, channelBinding: 'tls-exporter', tlsExporter: 'x'.repeat(43) })).toBe(false);
  });
});

describe('key fingerprints', () => {
  it('are five groups of four base32 characters, stable per key', () => {
    const key = generateEd25519KeyPair();
    expect(keyFingerprint(key.publicKey)).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){4}$/);
    expect(keyFingerprint(key.publicKey)).toBe(keyFingerprint(key.publicKey));
    expect(keyFingerprint(key.publicKey)).not.toBe(keyFingerprint(generateEd25519KeyPair().publicKey));
  });

  it('has a known value for a known key (all-zero bytes)', () => {
    // Cross-checked with Python: base64.b32encode(sha256(bytes(32)))[:20].
    expect(keyFingerprint(Buffer.alloc(32).toString('base64url'))).toBe('MZUH-VLPY-MK6X-O3EP-YGFY');
  });
});

describe('kept key objects', () => {
  it('a keypair object changed in place signs with its new key; verifying never mixes keys', () => {
    const ctx = SIGNING_CONTEXTS.sessionRequest;
    const [a, b] = [generateEd25519KeyPair(), generateEd25519KeyPair()];
    const pair = { ...a };
    const sigA = signPayload(ctx, { n: 1 }, pair);
    Object.assign(pair, b);
    const sigB = signPayload(ctx, { n: 1 }, pair);
    expect(verifyPayload(ctx, { n: 1 }, sigA, a.publicKey)).toBe(true);
    expect(verifyPayload(ctx, { n: 1 }, sigB, b.publicKey)).toBe(true);
    expect(verifyPayload(ctx, { n: 1 }, sigB, a.publicKey)).toBe(false);
    expect(verifyPayload(ctx, { n: 1 }, sigA, b.publicKey)).toBe(false);
  });
});
