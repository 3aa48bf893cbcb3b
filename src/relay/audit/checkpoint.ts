// A signed audit checkpoint: the relay key vouches for the chain head, so
// every record that chains to it is proven (issue 9 evidence bundles).
import { SIGNING_CONTEXTS, signPayload, verifyPayload, type Ed25519KeyPair } from '../../protocol/signing.js';
import type { AuditCheckpoint, RelayStorage } from '../storage/storage.js';

export function signAuditCheckpoint(head: { seq: number; hash: string }, at: string, relayKey: Ed25519KeyPair): AuditCheckpoint {
  const payload = { seq: head.seq, hash: head.hash, at };
  return { ...payload, relayPublicKey: relayKey.publicKey, sig: signPayload(SIGNING_CONTEXTS.auditCheckpoint, payload, relayKey) };
}

export function verifyAuditCheckpoint(checkpoint: AuditCheckpoint, pinnedRelayPublicKey: string): boolean {
  const { seq, hash, at, sig } = checkpoint;
  return verifyPayload(SIGNING_CONTEXTS.auditCheckpoint, { seq, hash, at }, sig, pinnedRelayPublicKey);
}

/** Sign the current chain head if it moved since the last checkpoint; returns the new checkpoint or null. */
export async function checkpointHead(storage: RelayStorage, relayKey: Ed25519KeyPair, nowMs: number): Promise<AuditCheckpoint | null> {
  const head = await storage.auditHead();
  if (!head) return null;
  const latest = await storage.latestCheckpoint();
  if (latest && latest.seq >= head.seq) return null;
  const checkpoint = signAuditCheckpoint(head, new Date(nowMs).toISOString(), relayKey);
  await storage.addCheckpoint(checkpoint);
  return checkpoint;
}
