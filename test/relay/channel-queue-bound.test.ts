// The relay holds at most RELAY_CHANNEL_LIMITS.maxQueuedBinaryBytes (4 MiB) of
// data-channel frames per connection while its text frames are still being
// handled: a peer that floods binary frames behind slow work is told
// `rate-limited` and disconnected, instead of growing the relay's memory.
import { afterEach, describe, expect, it } from 'vitest';
import { newMessageId } from '../../src/protocol/index.js';
import { RELAY_CHANNEL_LIMITS } from '../../src/relay/relay-constants.js';
import { within } from '../support/bounded-wait.js';
import { startTestRelay, type TestRelay } from './harness.js';

let t: TestRelay | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('queued data-channel bytes per connection', () => {
  it('past 4 MiB queued behind text frames: rate-limited, then closed', async () => {
    t = await startTestRelay();
    const tech = await t.technician('alice');
    const errors: string[] = [];
    tech.onMessage((m) => void (m.type === 'error' && errors.push(`${m.code}: ${m.detail}`)));
    const closed = new Promise<void>((resolve) => tech.onClose(resolve));
    // Text frames that each wait for an audit write (requests to a device that is not connected) keep the
    // connection's queue busy while the binary frames behind them arrive.
    for (let i = 0; i < 40; i++) {
      tech.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-absent', ticket: { id: `INC-Q-${i}` }, reason: 'queue', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 });
    }
    const frame = new Uint8Array(60 * 1024);
    const frames = Math.ceil((RELAY_CHANNEL_LIMITS.maxQueuedBinaryBytes * 1.5) / frame.byteLength);
    for (let i = 0; i < frames; i++) tech.sendBinary(frame);
    await within(closed, 'the relay to close the flooding connection', () => [...new Set(errors)].join('; '));
    expect(errors).toContainEqual('rate-limited: too many channel bytes queued; disconnecting');
  });
});
