// The relay remembers a device refused at hello for its clock, so a technician
// reads why it is unreachable: only for a hello that proved the enrolled key
// (nobody can make another device look refused), bounded, and forgotten once
// the device connects.
import { afterEach, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, newMessageId, type Message } from '../../src/protocol/index.js';
import { ClockSkewRefusals } from '../../src/relay/routing/clock-skew-refusals.js';
import { offsetDuration } from '../../src/shared/clock-skew-text.js';
import type { TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { connectAgent } from './scripted-agent.js';

const MIN = 60_000;
let t: TestRelay | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

function ask(tech: TechnicianClient, deviceId: string): Promise<Message<'error'> | undefined> {
  const msg: Message<'tech.request'> = { v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: 'INC-SK' }, reason: 'Clock', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 };
  const answer = tech.waitFor((m) => (m.type === 'error' && m.re === msg.id ? m : undefined));
  tech.send(msg);
  return answer.then((m) => m ?? undefined);
}

describe('clock-skew refusals', () => {
  it('answers agent-clock-skew for the enrolled key refused for its clock, and agent-offline again once it connected', async () => {
    t = await startTestRelay();
    const key = generateEd25519KeyPair();
    const first = await connectAgent(t.relay.url, { deviceId: 'dev-sk', key, enrollmentToken: await t.enroll('dev-sk') });
    if (!first.ok) throw new Error('enrollment failed');
    await first.agent.close();
    const skewed = await connectAgent(t.relay.url, { deviceId: 'dev-sk', key, issuedAt: new Date(Date.now() + 6 * MIN + 2_000).toISOString() });
    expect(skewed).toMatchObject({ ok: false, error: { code: 'unauthorized', detail: expect.stringMatching(/^hello is not fresh: the device clock is 6 min [0-9] s ahead of the relay/) } });
    const tech = await t.technician('alice');
    const refused = await ask(tech, 'dev-sk');
    expect(refused?.code).toBe('agent-clock-skew');
    expect(refused?.detail).toMatch(/^device dev-sk is reachable but was refused: its clock is 6 min [0-9] s ahead of the relay \(limit 5 min\)\. Fix the device's time \(NTP\)\.$/);

    const back = await connectAgent(t.relay.url, { deviceId: 'dev-sk', key });
    if (!back.ok) throw new Error('reconnect failed');
    await back.agent.close();
    expect((await ask(tech, 'dev-sk'))?.code).toBe('agent-offline');
  });

  it('a skewed hello proving some other key plants nothing for the enrolled device', async () => {
    t = await startTestRelay();
    const first = await connectAgent(t.relay.url, { deviceId: 'dev-victim', enrollmentToken: await t.enroll('dev-victim') });
    if (!first.ok) throw new Error('enrollment failed');
    await first.agent.close();
    const forged = await connectAgent(t.relay.url, { deviceId: 'dev-victim', key: generateEd25519KeyPair(), issuedAt: new Date(Date.now() - 20 * MIN).toISOString() });
    expect(forged).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const tech = await t.technician('alice');
    expect((await ask(tech, 'dev-victim'))?.code).toBe('agent-offline');
    expect(await t.storage.queryAudit({ kinds: ['agent-refused'] })).toEqual([]);
  });

  it('is bounded: past the cap the device refused longest ago is forgotten', () => {
    const refusals = new ClockSkewRefusals(3);
    for (let i = 0; i < 5; i++) refusals.note(`dev-${i}`, 10 * MIN, 1000 + i);
    expect(refusals.size).toBe(3);
    expect(refusals.recentOffset('dev-0', 2000)).toBeUndefined();
    expect(refusals.recentOffset('dev-4', 2000)).toBe(10 * MIN);
  });

  it('logs at most once a minute and audits at most once an hour per device', () => {
    const refusals = new ClockSkewRefusals();
    expect(refusals.note('dev-1', MIN * 10, 0)).toEqual({ log: true, audit: true });
    expect(refusals.note('dev-1', MIN * 10, 30_000)).toEqual({ log: false, audit: false });
    expect(refusals.note('dev-1', MIN * 10, 61_000)).toEqual({ log: true, audit: false });
    refusals.connected('dev-1');
    expect(refusals.note('dev-1', MIN * 10, 125_000)).toEqual({ log: true, audit: false });
    expect(refusals.note('dev-1', MIN * 10, 3_600_000)).toEqual({ log: true, audit: true });
  });

  it.each([
    [362_000, '6 min 2 s'],
    [-600_000, '10 min'],
    [42_400, '42 s'],
  ])('writes an offset of %i ms as "%s"', (ms, text) => {
    expect(offsetDuration(ms)).toBe(text);
  });
});
