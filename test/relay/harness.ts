// A real relay on 127.0.0.1:0 with in-memory storage, plus admin helpers.
import { generateEd25519KeyPair } from '../../src/protocol/index.js';
import type { Scope } from '../../src/protocol/scopes.js';
import { hashSecretToken, newSecretToken } from '../../src/relay/secret-token.js';
import { startRelay, type RelayOptions, type RelayServer } from '../../src/relay/server.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import type { RelayStorage } from '../../src/relay/storage/storage.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { connectAgent, type ScriptedAgent } from './scripted-agent.js';

export interface TestRelay {
  relay: RelayServer;
  storage: SqliteStorage;
  relayKey: ReturnType<typeof generateEd25519KeyPair>;
  addTechnician(id: string, opts?: { group?: string; scopes?: Scope[]; unattended?: boolean }): Promise<string>;
  enroll(deviceId: string): Promise<string>;
  /** Enroll and connect a scripted agent. */
  agent(deviceId: string): Promise<ScriptedAgent>;
  /** Add a technician and connect it; closed with the relay. */
  technician(id: string, opts?: { group?: string; scopes?: Scope[]; unattended?: boolean }): Promise<TechnicianClient>;
  close(): Promise<void>;
}

export interface TestStorageOptions {
  /** A database file, for tests that reopen the storage after the relay stopped (default in memory). */
  path?: string;
  /** What the relay writes through (the harness's admin helpers use the storage itself). */
  wrap?: (storage: SqliteStorage) => RelayStorage;
}

export async function startTestRelay(opts: Partial<RelayOptions> = {}, store: TestStorageOptions = {}): Promise<TestRelay> {
  const storage = new SqliteStorage(store.path ?? ':memory:');
  const relayKey = generateEd25519KeyPair();
  // Second factors have their own tests (technician-mfa.test.ts); elsewhere unattended requests go without one.
  const relay = await startRelay({ storage: store.wrap ? store.wrap(storage) : storage, relayKey, port: 0, mfa: { require: 'off', groups: [] }, ...opts });
  const agents: ScriptedAgent[] = [];
  const technicians: TechnicianClient[] = [];
  const t: TestRelay = {
    relay,
    storage,
    relayKey,
    async addTechnician(id, o = {}) {
      const token = newSecretToken();
      await storage.addTechnician({
        id,
        name: `${id[0]!.toUpperCase()}${id.slice(1)} Tech`,
        group: o.group ?? 'helpdesk',
        scopes: o.scopes ?? ['view', 'control', 'admin', 'file-transfer'],
        unattended: o.unattended ?? false,
        tokenHash: hashSecretToken(token),
        createdAt: new Date().toISOString(),
        disabled: false,
      });
      return token;
    },
    async enroll(deviceId) {
      const token = newSecretToken();
      await storage.addEnrollment({ deviceId, tokenHash: hashSecretToken(token), createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3600_000).toISOString() });
      return token;
    },
    async agent(deviceId) {
      const r = await connectAgent(relay.url, { deviceId, enrollmentToken: await t.enroll(deviceId) });
      if (!r.ok) throw new Error(`agent ${deviceId} could not connect: ${r.error?.code ?? 'no answer'}`);
      agents.push(r.agent);
      return r.agent;
    },
    async technician(id, o) {
      const r = await connectTechnician(relay.url, await t.addTechnician(id, o));
      if (!r.ok) throw new Error(`technician ${id} could not connect: ${r.detail}`);
      technicians.push(r.client);
      return r.client;
    },
    async close() {
      await Promise.all(technicians.map((c) => c.close()));
      await Promise.all(agents.map((a) => a.close()));
      await relay.close();
      await storage.close();
    },
  };
  return t;
}
