// Device-signed agent messages: what the device key signs, and that nothing
// else verifies (another type, request, nonce, device, key or any changed field).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEVICE_SIGNED_TYPES,
  DEVICE_SIGNING_CONTEXTS,
  generateEd25519KeyPair,
  keyFingerprint,
  parseFrame,
  encodeFrame,
  signDeviceMessage,
  verifyDeviceMessage,
  type DeviceSignable,
} from '../../src/protocol/index.js';
import { deviceKey, sampleMessages } from '../fixtures/sample-messages.js';

const binding = { deviceId: 'dev-0001', requestId: 'req-0001', nonce: 'cmVxdWVzdC1ub25jZS0wMDAx' };
const expectation = { deviceId: 'dev-0001', devicePublicKey: deviceKey.publicKey, requestId: 'req-0001', nonce: binding.nonce };
const samples = (): DeviceSignable[] => DEVICE_SIGNED_TYPES.map((t) => sampleMessages()[t]);

describe('device-signed agent messages', () => {
  it('gives each message type its own signing context', () => {
    expect(new Set(Object.values(DEVICE_SIGNING_CONTEXTS)).size).toBe(DEVICE_SIGNED_TYPES.length);
  });

  it('verifies a signed decision, scope update, start and summary with the enrolled key, and names its fingerprint', () => {
    for (const msg of samples()) {
      const signed = signDeviceMessage(msg, binding, deviceKey);
      // The signed message is still a valid wire frame of its type.
      expect(parseFrame(encodeFrame(signed)).ok).toBe(true);
      expect(verifyDeviceMessage(signed, expectation)).toEqual({ ok: true, deviceKeyFingerprint: keyFingerprint(deviceKey.publicKey) });
    }
  });

  it('ignores the per-frame id (a relay may re-frame) but nothing else', () => {
    const signed = signDeviceMessage(sampleMessages()['session.decision'], binding, deviceKey);
    expect(verifyDeviceMessage({ ...signed, id: 'another-frame-id' }, expectation).ok).toBe(true);
    expect(verifyDeviceMessage({ ...signed, outcome: 'accepted' }, expectation)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifyDeviceMessage({ ...signed, decidedBy: 'timeout' }, expectation)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('refuses an unsigned message, another key, another device, request or nonce', () => {
    const msg = sampleMessages()['session.decision'];
    const signed = signDeviceMessage(msg, binding, deviceKey);
    expect(verifyDeviceMessage(msg, expectation)).toMatchObject({ ok: false, reason: 'unsigned' });
    expect(verifyDeviceMessage(signed, { ...expectation, devicePublicKey: generateEd25519KeyPair().publicKey })).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifyDeviceMessage(signed, { ...expectation, deviceId: 'dev-0002' })).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifyDeviceMessage(signed, { ...expectation, requestId: 'req-0002' })).toMatchObject({ ok: false, reason: 'wrong-request' });
    expect(verifyDeviceMessage(signed, { ...expectation, nonce: 'b3RoZXItbm9uY2UtMDAwMDAx' })).toMatchObject({ ok: false, reason: 'wrong-nonce' });
    // The envelope's request id and nonce are signed too: rewriting them breaks the signature.
    const moved = { ...signed, deviceSig: { ...signed.deviceSig, requestId: 'req-0002' } };
    expect(verifyDeviceMessage(moved, { ...expectation, requestId: 'req-0002' })).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('does not verify a signature made for one message type as another (own ctx strings)', () => {
    const started = signDeviceMessage(sampleMessages()['session.started'], binding, deviceKey);
    const summary = sampleMessages()['session.summary'];
    expect(verifyDeviceMessage({ ...summary, deviceSig: started.deviceSig }, expectation)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('property: any change to a signed message field fails verification', () => {
    const signed = signDeviceMessage(sampleMessages()['session.decision'], binding, deviceKey);
    const fields = ['requestId', 'outcome', 'decidedAt', 'detail', 'sessionId'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.string({ minLength: 1, maxLength: 20 }), (field, value) => {
        const before = (signed as Record<string, unknown>)[field];
        fc.pre(before !== value);
        const changed = { ...signed, [field]: value } as DeviceSignable;
        return !verifyDeviceMessage(changed, { deviceId: expectation.deviceId, devicePublicKey: expectation.devicePublicKey }).ok;
      }),
      { numRuns: 200 },
    );
  });

  it('property: a random signature never verifies, and verification never throws', () => {
    const msg = sampleMessages()['session.scope-update'];
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (sig, nonce, requestId) => {
        const forged = { ...msg, deviceSig: { requestId, nonce, sig } } as DeviceSignable;
        return verifyDeviceMessage(forged, { deviceId: 'dev-0001', devicePublicKey: deviceKey.publicKey }).ok === false;
      }),
      { numRuns: 300 },
    );
  });
});
