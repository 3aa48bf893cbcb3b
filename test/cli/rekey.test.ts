// Re-keying an enrolled device (issue 17) against a real relay process: never
// silent, only with `enroll-device --rekey`, audited, and the old key's live
// connection is told why it is dropped. A technician then fetches the new key
// and sees the audited re-key.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEd25519KeyPair, keyFingerprint, newMessageId, type Message } from '../../src/protocol/index.js';
import { CLOSE } from '../../src/relay/relay-constants.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { connectTechnician } from '../../src/cli/technician/technician-client.js';
import { connectAgent } from '../relay/scripted-agent.js';
import { ensureBuilt, runCli, startCli } from './built-cli.js';

beforeAll(ensureBuilt, 120_000);

const tokenOf = (stdout: string) => stdout.split('\n')[1]!;

describe('relay enroll-device --rekey', () => {
  it('replaces a key only when an admin asked for it, audits it, and drops the old key with the reason', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pl-rekey-'));
    const first = await runCli(['relay', 'enroll-device', '--device', 'dev-9', '--data', data]);
    expect(first.code).toBe(0);
    const relay = startCli(['relay', '--port', '0', '--data', data]);
    try {
      const url = /listening on (ws:\/\/\S+)/.exec(await relay.waitForOutput(/listening on (ws:\/\/\S+)/))![1]!;
      const oldKey = generateEd25519KeyPair();
      const newKey = generateEd25519KeyPair();
      const online = await connectAgent(url, { deviceId: 'dev-9', key: oldKey, enrollmentToken: tokenOf(first.stdout) });
      if (!online.ok) throw new Error('the device did not enroll');

      // A plain enrollment for an enrolled device is refused, naming the current key.
      const plain = await runCli(['relay', 'enroll-device', '--device', 'dev-9', '--data', data]);
      expect(plain.code).toBe(2);
      expect(plain.stderr).toContain(keyFingerprint(oldKey.publicKey));
      expect(plain.stderr).toContain('--rekey');
      // --rekey on a device never enrolled is refused too.
      expect((await runCli(['relay', 'enroll-device', '--device', 'dev-none', '--rekey', '--data', data])).code).toBe(2);

      const rekey = await runCli(['relay', 'enroll-device', '--device', 'dev-9', '--rekey', '--data', data]);
      expect(rekey.code).toBe(0);
      expect(rekey.stdout).toContain('RE-KEY');

      const oldClosed = new Promise<{ code: number; reason: string }>((r) => online.agent.ws.once('close', (code, reason) => r({ code, reason: reason.toString() })));
      const replaced = await connectAgent(url, { deviceId: 'dev-9', key: newKey, enrollmentToken: tokenOf(rekey.stdout) });
      expect(replaced.ok).toBe(true);
      const closed = await oldClosed;
      expect(closed.code).toBe(CLOSE.rekeyed);
      expect(closed.reason).toMatch(/re-keyed by an admin/);
      expect(closed.reason).toContain(keyFingerprint(newKey.publicKey));
      // The old key is no longer enrolled.
      expect(await connectAgent(url, { deviceId: 'dev-9', key: oldKey })).toMatchObject({ ok: false, error: { detail: 'device is not enrolled with this key' } });

      // A technician fetches the device's key at request time and sees the audited re-key.
      const add = await runCli(['relay', 'add-technician', '--name', 'alice', '--group', 'helpdesk', '--data', data]);
      const tech = await connectTechnician(url, add.stdout.trim().split('\n').at(-1)!);
      if (!tech.ok) throw new Error(tech.detail);
      const answer = tech.client.waitFor((m) => (m.type === 'device.key' || m.type === 'error' ? m : undefined));
      tech.client.send({ v: 1, type: 'tech.device-key', id: newMessageId(), deviceId: 'dev-9' });
      const key = (await answer) as Message<'device.key'>;
      expect(key).toMatchObject({ type: 'device.key', deviceId: 'dev-9', publicKey: newKey.publicKey, fingerprint: keyFingerprint(newKey.publicKey) });
      expect(key.rekeys).toEqual([expect.objectContaining({ from: keyFingerprint(oldKey.publicKey), to: keyFingerprint(newKey.publicKey) })]);
      const unknown = tech.client.waitFor((m) => (m.type === 'error' ? m : undefined));
      tech.client.send({ v: 1, type: 'tech.device-key', id: newMessageId(), deviceId: 'dev-none' });
      expect(await unknown).toMatchObject({ code: 'unknown-device' });
      await tech.client.close();

      const storage = new SqliteStorage(join(data, 'relay.db'));
      const records = await storage.queryAudit({ deviceId: 'dev-9', kinds: ['device-rekey-authorized', 'device-rekeyed'] });
      expect((await storage.queryAudit({ deviceId: 'dev-9', kinds: ['admin'] })).map((r) => r.data)).toEqual([expect.objectContaining({ action: 'device-enrollment-issued', target: 'dev-9' })]);
      await storage.close();
      expect(records.map((r) => r.kind)).toEqual(['device-rekey-authorized', 'device-rekeyed']);
      expect(records[0]!.data).toMatchObject({ keyFingerprint: keyFingerprint(oldKey.publicKey) });
      expect(records[1]!.data).toEqual({ from: keyFingerprint(oldKey.publicKey), to: keyFingerprint(newKey.publicKey), droppedConnection: true });
      if (replaced.ok) await replaced.agent.close();
    } finally {
      relay.child.kill('SIGTERM');
      await relay.done;
    }
  });

  it('a plain enrollment token can not re-key an enrolled device', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pl-rekey-'));
    // Two plain tokens issued before the first enrollment: the second must not become a silent re-key.
    const a = await runCli(['relay', 'enroll-device', '--device', 'dev-8', '--data', data]);
    const b = await runCli(['relay', 'enroll-device', '--device', 'dev-8', '--data', data]);
    const relay = startCli(['relay', '--port', '0', '--data', data]);
    try {
      const url = /listening on (ws:\/\/\S+)/.exec(await relay.waitForOutput(/listening on (ws:\/\/\S+)/))![1]!;
      const online = await connectAgent(url, { deviceId: 'dev-8', enrollmentToken: tokenOf(a.stdout) });
      expect(online.ok).toBe(true);
      const swap = await connectAgent(url, { deviceId: 'dev-8', enrollmentToken: tokenOf(b.stdout) });
      expect(swap).toMatchObject({ ok: false, error: { code: 'unauthorized', detail: expect.stringMatching(/already enrolled with another key.*--rekey/) } });
      if (online.ok) await online.agent.close();
    } finally {
      relay.child.kill('SIGTERM');
      await relay.done;
    }
  });
});
