// TechnicianClient.waitFor holds nothing once a wait is over: 100k waits
// answered by real relay frames leave no message or close listeners behind.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { newMessageId } from '../../src/protocol/index.js';
import type { TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';

let t: TestRelay;
beforeEach(async () => {
  t = await startTestRelay();
});
afterEach(() => t.close());

/** The client's listener sets (private: what a long `porchlight session` would accumulate). */
function listenerCounts(c: TechnicianClient) {
  const inner = c as unknown as { listeners: Set<unknown>; closedListeners: Set<unknown> };
  return { message: inner.listeners.size, close: inner.closedListeners.size };
}

it('drops both listeners of every finished wait (100k waits)', async () => {
  const alice = await t.technician('alice');
  const before = listenerCounts(alice);
  const ROUNDS = 10;
  const PER_ROUND = 10_000;
  for (let round = 0; round < ROUNDS; round++) {
    const probe = `probe-${newMessageId()}`;
    const waits = Array.from({ length: PER_ROUND }, () => alice.waitFor((m) => (m.type === 'error' && m.re === probe ? m : undefined)));
    expect(listenerCounts(alice)).toEqual({ message: before.message + PER_ROUND, close: before.close + PER_ROUND });
    alice.send({ v: 1, type: 'session.cancel', id: probe, requestId: 'no-such-request' });
    for (const hit of await Promise.all(waits)) expect(hit).toMatchObject({ code: 'unknown-session', re: probe });
    expect(listenerCounts(alice)).toEqual(before);
  }
});

it('drops both listeners of a wait the closing socket ends', async () => {
  const alice = await t.technician('alice');
  const before = listenerCounts(alice);
  const wait = alice.waitFor(() => undefined);
  await alice.close();
  expect(await wait).toBeNull();
  expect(listenerCounts(alice)).toEqual(before);
});
