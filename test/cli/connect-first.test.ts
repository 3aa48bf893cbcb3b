// A technician's --relay list: instances that cannot be reached are skipped in order; a refusal
// from a live instance is final (every instance shares the accounts), against real relays.
import { afterEach, describe, expect, it } from 'vitest';
import { connectFirstRelay } from '../../src/cli/technician/connect-first.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { deadRelayUrl as deadUrl } from '../support/free-port.js';

const relays: TestRelay[] = [];
afterEach(async () => {
  for (const r of relays.splice(0)) await r.close();
});

describe('connectFirstRelay', () => {
  it('skips an instance that cannot be reached and signs in on the next', async () => {
    const live = await startTestRelay();
    relays.push(live);
    const token = await live.addTechnician('alice');
    const r = await connectFirstRelay([await deadUrl(), live.relay.url], token, {});
    if (!r.ok) throw new Error(r.detail);
    expect(r.url).toBe(live.relay.url);
    expect(r.client.technician.id).toBe('alice');
    await r.client.close();
  });

  it('stops at the first refusal: a wrong token is not tried on the other instances', async () => {
    const [first, second] = [await startTestRelay(), await startTestRelay()];
    relays.push(first, second);
    const token = await second.addTechnician('bob');
    const r = await connectFirstRelay([first.relay.url, second.relay.url], token, {});
    expect(r).toMatchObject({ ok: false, code: 'unauthorized' });
  });

  it('names each instance it could not reach', async () => {
    const [a, b] = [await deadUrl(), await deadUrl()];
    const r = await connectFirstRelay([a, b], 'T'.repeat(32), {});
    expect(r).toMatchObject({ ok: false, code: 'connect-failed', detail: expect.stringMatching(new RegExp(`^${a}: .*ECONNREFUSED.*; ${b}: .*ECONNREFUSED`)) });
  });
});
