// A real relay for benchmarks, with admin shortcuts through its storage
// (tests have their own harness; benchmarks are built without test/).
import { generateEd25519KeyPair, type Ed25519KeyPair } from '../src/protocol/index.js';
import type { Scope } from '../src/protocol/scopes.js';
import { hashSecretToken, newSecretToken } from '../src/relay/secret-token.js';
import { startRelay, type RelayServer } from '../src/relay/server.js';
import type { PeerDirectory } from '../src/relay/peer-directory.js';
import type { RelayStorage } from '../src/relay/storage/storage.js';

export interface BenchRelay {
  relay: RelayServer;
  relayKey: Ed25519KeyPair;
  /** Returns the technician's API token. */
  addTechnician(id: string, scopes: Scope[]): Promise<string>;
  /** Returns a one-time enrollment token for the device. */
  enroll(deviceId: string): Promise<string>;
  close(): Promise<void>;
}

/** Rate limits lifted: a benchmark sends far more than a technician would. */
export async function startBenchRelay(storage: RelayStorage, o: { relayKey?: Ed25519KeyPair; directory?: PeerDirectory } = {}): Promise<BenchRelay> {
  const relayKey = o.relayKey ?? generateEd25519KeyPair();
  const directory = o.directory ? { directory: o.directory } : {};
  const relay = await startRelay({ storage, relayKey, port: 0, rateLimit: { perSecond: 1e6, burst: 1e6, abuseThreshold: 1e6 }, maxUnauthenticatedPerAddress: 100_000, ...directory });
  const now = () => new Date().toISOString();
  return {
    relay,
    relayKey,
    async addTechnician(id, scopes) {
      const token = newSecretToken();
      await storage.addTechnician({ id, name: `Bench ${id}`, group: 'bench', scopes, unattended: false, tokenHash: hashSecretToken(token), createdAt: now(), disabled: false });
      return token;
    },
    async enroll(deviceId) {
      const token = newSecretToken();
      await storage.addEnrollment({ deviceId, tokenHash: hashSecretToken(token), createdAt: now(), expiresAt: new Date(Date.now() + 3600_000).toISOString() });
      return token;
    },
    async close() {
      await relay.close();
      await storage.close();
    },
  };
}
