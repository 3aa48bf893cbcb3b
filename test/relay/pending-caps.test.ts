// Pending-request caps count per technician account across all its
// connections, and per device across all technicians: one token on many
// connections can't pile requests on a device, and many technicians together
// can't either. Each refusal is `rate-limited` with the frame's `re`, and
// recorded as rejected. Real relay, real sockets.
import { afterEach, describe, expect, it } from 'vitest';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from './harness.js';

let t: TestRelay | undefined;
const clients: TechnicianClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await t?.close();
  t = undefined;
});

async function connect(token: string): Promise<TechnicianClient> {
  const r = await connectTechnician(t!.relay.url, token);
  if (!r.ok) throw new Error(r.detail);
  clients.push(r.client);
  return r.client;
}

function request(deviceId: string): Message<'tech.request'> {
  return { v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: 'INC7' }, reason: 'printer', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 };
}

/** Send one request on each client at once; resolve with each first answer, in client order. */
async function askAll(pairs: [TechnicianClient, Message<'tech.request'>][]) {
  const answers = pairs.map(([c, msg]) =>
    c.waitFor((m) => ((m.type === 'session.pending' && m.deviceId === msg.deviceId) || (m.type === 'error' && m.re === msg.id) ? m : undefined)),
  );
  for (const [c, msg] of pairs) c.send(msg);
  const got = await Promise.all(answers);
  return got.map((m) => {
    if (!m) throw new Error('connection closed before an answer');
    return m;
  });
}

const outcome = (m: Message) => (m.type === 'error' ? m.code : m.type);

describe('pending-request caps', () => {
  it('counts one technician token over all its connections (default 5)', async () => {
    t = await startTestRelay();
    await t.agent('dev-1');
    const token = await t.addTechnician('alice');
    const conns = await Promise.all(Array.from({ length: 12 }, () => connect(token)));
    const sent = conns.map((c) => [c, request('dev-1')] as [TechnicianClient, Message<'tech.request'>]);
    const answers = await askAll(sent);
    expect(answers.filter((m) => m.type === 'session.pending')).toHaveLength(5);
    const refused = answers.filter((m): m is Message<'error'> => m.type === 'error');
    expect(refused).toHaveLength(7);
    for (const e of refused) {
      expect(e).toMatchObject({ code: 'rate-limited', detail: expect.stringContaining('at most 5 pending requests per technician') });
      expect(sent.map(([, m]) => m.id)).toContain(e.re);
    }
    const rejected = await t.storage.queryAudit({ kinds: ['rejected'], technicianId: 'alice' });
    expect(rejected.map((r) => r.data)).toEqual(Array(7).fill({ action: 'tech.request', code: 'rate-limited', detail: refused[0]!.detail }));
    // A slot comes back once a request is no longer pending.
    const pending = answers.find((m): m is Message<'session.pending'> => m.type === 'session.pending')!;
    conns[0]!.send({ v: 1, type: 'session.cancel', id: newMessageId(), requestId: pending.requestId });
    await expect.poll(async () => (await t!.storage.queryAudit({ kinds: ['cancel'] })).length).toBe(1);
    expect((await askAll([[conns[1]!, request('dev-1')]]))[0]!.type).toBe('session.pending');
  });

  it('counts one device over all technicians (default 10)', async () => {
    t = await startTestRelay();
    await t.agent('dev-1');
    await t.agent('dev-2');
    const techs = await Promise.all(Array.from({ length: 12 }, async (_, i) => connect(await t!.addTechnician(`tech-${i}`))));
    const answers = await askAll(techs.map((c) => [c, request('dev-1')]));
    expect(answers.filter((m) => m.type === 'session.pending')).toHaveLength(10);
    const refused = answers.filter((m) => m.type === 'error');
    expect(refused).toEqual(Array(2).fill(expect.objectContaining({ code: 'rate-limited', detail: expect.stringContaining('device dev-1 already has 10 pending requests') })));
    // Another device is not affected.
    const other = await askAll([[techs[11]!, request('dev-2')]]);
    expect(other[0]!.type).toBe('session.pending');
  });

  it('takes both caps as options', async () => {
    t = await startTestRelay({ maxPendingPerTechnician: 1, maxPendingPerDevice: 2 });
    await t.agent('dev-1');
    const alice = await connect(await t.addTechnician('alice'));
    const bob = await connect(await t.addTechnician('bob'));
    const carol = await connect(await t.addTechnician('carol'));
    expect((await askAll([[alice, request('dev-1')]])).map(outcome)).toEqual(['session.pending']);
    expect((await askAll([[alice, request('dev-1')]])).map(outcome)).toEqual(['rate-limited']);
    expect((await askAll([[bob, request('dev-1')]])).map(outcome)).toEqual(['session.pending']);
    expect((await askAll([[carol, request('dev-1')]])).map(outcome)).toEqual(['rate-limited']);
  });
});
