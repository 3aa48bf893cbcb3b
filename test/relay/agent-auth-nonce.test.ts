// Defence in depth behind the challenge (issue 17): the hello a device
// enrolled with is remembered in the nonce store like any other, so even over
// the same challenge (which the relay never repeats) it would not sign in twice.
import { describe, expect, it } from 'vitest';
import { authenticateAgent } from '../../src/relay/agent-auth.js';
import { NonceCache } from '../../src/relay/nonce-cache.js';
import { hashSecretToken, newSecretToken } from '../../src/relay/secret-token.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { generateEd25519KeyPair, keyFingerprint, newMessageId, signHelloProof, type Message } from '../../src/protocol/index.js';

describe('agent hello nonces', () => {
  it('remembers the nonce of the hello that enrolled the device', async () => {
    const storage = new SqliteStorage(':memory:');
    const key = generateEd25519KeyPair();
    const now = Date.now();
    const token = newSecretToken();
    await storage.addEnrollment({ deviceId: 'dev-1', tokenHash: hashSecretToken(token), createdAt: new Date(now).toISOString(), expiresAt: new Date(now + 60_000).toISOString() });
    const connection = { challenge: 'c'.repeat(43), relayKeyFingerprint: keyFingerprint(generateEd25519KeyPair().publicKey), channelBinding: 'none' as const, tlsExporter: null };
    const fields = { deviceId: 'dev-1', devicePublicKey: key.publicKey, nonce: 'bm9uY2Utb2YtdGhlLWVucm9sbG1lbnQ', issuedAt: new Date(now).toISOString() };
    const hello: Message<'hello'> & { role: 'agent' } = { v: 1, type: 'hello', id: newMessageId(), role: 'agent', agentVersion: 't', ...fields, challenge: connection.challenge, proof: signHelloProof(fields, connection, key), enrollmentToken: token };
    const auth = { storage, nonces: new NonceCache(10 * 60_000), nowMs: now, relayStartedAtMs: now - 1000, connection };
    expect(await authenticateAgent(hello, auth)).toMatchObject({ ok: true, enrolled: true });
    expect(await authenticateAgent(hello, auth)).toEqual({ ok: false, code: 'unauthorized', detail: 'hello nonce was used before' });
    await storage.close();
  });
});
