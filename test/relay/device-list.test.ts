// `tech.devices` (issue 21): the console's device list lists only enrolled
// devices, online first, with last seen, bounded at MAX_LISTED_DEVICES with
// `truncated`, and searches on the relay. Real relay, real sockets.
import { afterEach, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, newMessageId, type Message } from '../../src/protocol/index.js';
import { MAX_LISTED_DEVICES } from '../../src/protocol/messages.js';
import type { TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { acceptAndStay } from './scripted-agent.js';

let t: TestRelay | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

function list(tech: TechnicianClient, search?: string): Promise<Message<'devices'> | null> {
  const msg: Message<'tech.devices'> = { v: 1, type: 'tech.devices', id: newMessageId(), ...(search ? { search } : {}) };
  const answer = tech.waitFor((m) => (m.type === 'devices' && m.re === msg.id ? m : undefined));
  tech.send(msg);
  return answer;
}

describe('tech.devices', () => {
  it('lists enrolled devices only, online first then by last seen, bounded with truncated, searchable on the relay', async () => {
    t = await startTestRelay();
    const publicKey = generateEd25519KeyPair().publicKey;
    for (let i = 0; i < MAX_LISTED_DEVICES + 5; i++) {
      const lastSeenAt = i === 7 ? null : new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
      await t.storage.registerDevice({ deviceId: `PC-${String(i).padStart(3, '0')}`, publicKey, enrolledAt: '2026-01-01T00:00:00.000Z', lastSeenAt });
    }
    await t.agent('LAPTOP-0042');
    const tech = await t.technician('alice');

    const all = await list(tech);
    expect(all?.devices).toHaveLength(MAX_LISTED_DEVICES);
    expect(all?.truncated).toBe(true);
    expect(all?.devices[0]).toMatchObject({ deviceId: 'LAPTOP-0042', online: true });
    expect(all?.devices[1]).toEqual({ deviceId: 'PC-204', online: false, lastSeenAt: new Date(Date.UTC(2026, 0, 1, 0, 204)).toISOString() });

    const some = await list(tech, 'pc-00');
    expect(some?.devices.map((d) => d.deviceId)).toEqual(['PC-009', 'PC-008', 'PC-006', 'PC-005', 'PC-004', 'PC-003', 'PC-002', 'PC-001', 'PC-000', 'PC-007']);
    expect(some?.truncated).toBe(false);
    expect((await list(tech, 'NOT-ENROLLED'))?.devices).toEqual([]);
  });

  it('says which device is in a session with whom, for which ticket, and only while it lasts', async () => {
    t = await startTestRelay();
    const agent = await t.agent('LAPTOP-0042');
    agent.answer = acceptAndStay();
    await t.agent('PC-IDLE');
    const bob = await t.technician('bob');
    const alice = await t.technician('alice');
    const started = alice.waitFor((m) => (m.type === 'session.started' ? m : undefined));
    alice.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'LAPTOP-0042', ticket: { id: 'INC0012345' }, reason: 'printer', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 });
    const s = await started;
    const during = await list(bob);
    expect(during?.devices.find((d) => d.deviceId === 'LAPTOP-0042')).toMatchObject({ session: { technicianName: 'Alice Tech', ticketId: 'INC0012345' } });
    expect(during?.devices.find((d) => d.deviceId === 'PC-IDLE')).not.toHaveProperty('session');
    alice.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId: s!.sessionId, by: 'technician' });
    // The device ends it as the real agent does when the technician ends it.
    await agent.next('session.end');
    agent.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId: s!.sessionId, by: 'technician' });
    // The end is recorded before the session leaves the list: ask until it has (bounded), then check once more.
    const after: unknown[] = [];
    for (let i = 0; i < 100; i++) {
      const row = (await list(bob))?.devices.find((d) => d.deviceId === 'LAPTOP-0042');
      after.push(row?.session);
      if (!row?.session) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(after.at(-1), `session field after the end: ${JSON.stringify(after.slice(-3))}`).toBeUndefined();
  });
});
