// The agent's hello proof: the device key signs the hello's fields together
// with this connection's context (the relay's fresh challenge, the relay key
// fingerprint and, over TLS, the channel's exported keying material). A hello
// recorded on one connection therefore verifies on no other one, whatever a
// nonce cache holds and after any relay restart.
import type { AgentHello, ChannelBinding } from './messages.js';
import { SIGNING_CONTEXTS, signPayload, verifyPayload, type Ed25519KeyPair } from './signing.js';

/** What the connection itself contributes to the proof. */
export interface HelloConnectionContext {
  challenge: string;
  relayKeyFingerprint: string;
  channelBinding: ChannelBinding;
  /** base64url TLS exported keying material when `channelBinding` is `tls-exporter`, else null. */
  tlsExporter: string | null;
}

type HelloFields = Pick<AgentHello, 'deviceId' | 'devicePublicKey' | 'nonce' | 'issuedAt'>;

export function helloProofPayload(hello: HelloFields, conn: HelloConnectionContext): Record<string, string | null> {
  return {
    deviceId: hello.deviceId,
    devicePublicKey: hello.devicePublicKey,
    nonce: hello.nonce,
    issuedAt: hello.issuedAt,
    challenge: conn.challenge,
    relayKeyFingerprint: conn.relayKeyFingerprint,
    channelBinding: conn.channelBinding,
    tlsExporter: conn.tlsExporter,
  };
}

export function signHelloProof(hello: HelloFields, conn: HelloConnectionContext, deviceKey: Ed25519KeyPair): string {
  return signPayload(SIGNING_CONTEXTS.agentHello, helloProofPayload(hello, conn), deviceKey);
}

/** True only if the hello's proof signs this connection's context with the key it names. Never throws. */
export function verifyHelloProof(hello: AgentHello, conn: HelloConnectionContext): boolean {
  if (hello.challenge !== conn.challenge) return false;
  if ((conn.channelBinding === 'tls-exporter') !== (conn.tlsExporter !== null)) return false;
  return verifyPayload(SIGNING_CONTEXTS.agentHello, helloProofPayload(hello, conn), hello.proof, hello.devicePublicKey);
}
