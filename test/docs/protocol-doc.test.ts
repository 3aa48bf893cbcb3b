// docs/protocol.md is complete and its worked example is real (issue 14);
// README's and docs/errors.md's exit-code tables match the code.
import { describe, expect, it } from 'vitest';
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EXIT, EXIT_MEANINGS } from '../../src/cli/exit-codes.js';
import { canonicalize } from '../../src/protocol/canonical-json.js';
import { ERROR_CODES } from '../../src/protocol/error-codes.js';
import { deviceSignedPayload, verifyDeviceMessage } from '../../src/protocol/device-signatures.js';
import { MESSAGE_TYPES, sessionDecisionSchema, sessionRequestSchema } from '../../src/protocol/messages.js';
import { keyFingerprint, SIGNING_CONTEXTS } from '../../src/protocol/signing.js';

const root = new URL('../..', import.meta.url).pathname;
const protocol = readFileSync(`${root}docs/protocol.md`, 'utf8');

/** The fenced block right after `<!-- protocol-example: NAME -->`. */
function example(name: string): string {
  const m = new RegExp(`<!-- protocol-example: ${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``).exec(protocol);
  if (!m) throw new Error(`docs/protocol.md has no example block '${name}'`);
  return m[1]!;
}

describe('docs/protocol.md', () => {
  it('documents every message type of the schema map under its own heading', () => {
    const headings = new Set([...protocol.matchAll(/^### `([a-z.-]+)`/gm)].map((m) => m[1]));
    expect(MESSAGE_TYPES.filter((t) => !headings.has(t))).toEqual([]);
  });

  it('lists every error code, every signing context and every close code', () => {
    const codes = new Set([...protocol.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]));
    expect(ERROR_CODES.filter((c) => !codes.has(c))).toEqual([]);
    for (const ctx of Object.values(SIGNING_CONTEXTS)) expect(protocol).toContain(`\`${ctx}\``);
    for (const close of [1000, 1001, 1008, 1009, 1013, 4000, 4001, 4003, 4008]) expect(protocol).toMatch(new RegExp(`^\\| ${close} \\|`, 'm'));
  });

  it('its worked session.request verifies with node:crypto over exactly the canonical bytes shown', () => {
    const publicKey = example('relay public key').trim();
    const message = sessionRequestSchema.parse(JSON.parse(example('message')));
    const canonicalBytes = example('canonical bytes');
    expect(canonicalBytes).toBe(canonicalize({ ctx: SIGNING_CONTEXTS.sessionRequest, payload: message.payload }));
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
    expect(verify(null, Buffer.from(canonicalBytes, 'utf8'), key, Buffer.from(message.sig, 'base64url'))).toBe(true);
    // One byte changed no longer verifies: the check is real.
    expect(verify(null, Buffer.from(canonicalBytes.replace('view', 'vieW'), 'utf8'), key, Buffer.from(message.sig, 'base64url'))).toBe(false);
    expect(protocol).toContain(`Fingerprint \`${keyFingerprint(publicKey)}\``);
  });
});

describe('docs/protocol.md device-signed decision', () => {
  it('verifies with node:crypto over the canonical bytes shown, and as the relay and the CLI check it', () => {
    const request = sessionRequestSchema.parse(JSON.parse(example('message')));
    const devicePublicKey = example('device public key').trim();
    const decision = sessionDecisionSchema.parse(JSON.parse(example('device-signed decision')));
    const binding = { deviceId: request.payload.deviceId, requestId: request.payload.requestId, nonce: request.payload.nonce };
    const bytes = example('device canonical bytes');
    expect(bytes).toBe(canonicalize({ ctx: SIGNING_CONTEXTS.deviceDecision, payload: deviceSignedPayload(decision, binding) }));
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: devicePublicKey }, format: 'jwk' });
    expect(verify(null, Buffer.from(bytes, 'utf8'), key, Buffer.from(decision.deviceSig!.sig, 'base64url'))).toBe(true);
    expect(verifyDeviceMessage(decision, { ...binding, devicePublicKey })).toEqual({ ok: true, deviceKeyFingerprint: keyFingerprint(devicePublicKey) });
    expect(protocol).toContain(`Fingerprint \`${keyFingerprint(devicePublicKey)}\``);
    // What the page says breaks it, does.
    expect(verifyDeviceMessage({ ...decision, declined: ['control'] }, { ...binding, devicePublicKey }).ok).toBe(false);
    expect(verifyDeviceMessage(decision, { ...binding, deviceId: 'LAPTOP-0043', devicePublicKey }).ok).toBe(false);
    expect(verifyDeviceMessage(decision, { ...binding, nonce: 'AAAAAAAAAAAAAAAAAAAAAA', devicePublicKey }).ok).toBe(false);
    expect(verifyDeviceMessage({ ...decision, type: 'session.started' } as never, { ...binding, devicePublicKey }).ok).toBe(false);
  });

  it('says device signatures are required and how the technician checks them', () => {
    expect(protocol).toContain('### Device signatures (required)');
    expect(protocol).toContain('signatureVerified: true');
    expect(protocol).toContain('deviceKeyFingerprint');
  });
});

describe('exit-code tables', () => {
  const table = (text: string) => Object.fromEntries([...text.matchAll(/^\| (\d) \| (.+) \|$/gm)].map((m) => [m[1], m[2]]));
  const expected = Object.fromEntries(Object.entries(EXIT_MEANINGS).map(([k, v]) => [k, v]));

  it('cover every exit code the CLI uses', () => {
    expect(Object.keys(EXIT_MEANINGS).map(Number).sort()).toEqual(Object.values(EXIT).sort());
  });

  it('README.md and docs/errors.md say what the code says', () => {
    expect(table(readFileSync(`${root}README.md`, 'utf8'))).toEqual(expected);
    expect(table(readFileSync(`${root}docs/errors.md`, 'utf8'))).toEqual(expected);
  });
});
