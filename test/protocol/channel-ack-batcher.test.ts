import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AckBatcher } from '../../src/protocol/channel-ack-batcher.js';

/** A batcher whose "next turn of the event loop" the test runs by hand. */
function manual(flushAt = 1000) {
  const acks: number[] = [];
  const queued: (() => void)[] = [];
  const batcher = new AckBatcher((b) => acks.push(b), flushAt, (run) => queued.push(run));
  const turn = () => queued.splice(0).forEach((run) => run());
  return { acks, batcher, turn, queued };
}

describe('AckBatcher', () => {
  it('sends one ack for a burst of small frames, once the burst is handled', () => {
    const { acks, batcher, turn, queued } = manual();
    for (let i = 0; i < 5; i++) batcher.add(100);
    expect(acks).toEqual([]);
    expect(queued).toHaveLength(1);
    turn();
    expect(acks).toEqual([500]);
  });

  it('sends at once when a quarter of the window is owed, so the sender never waits for the batch', () => {
    const { acks, batcher } = manual(1000);
    batcher.add(600);
    batcher.add(600);
    expect(acks).toEqual([1200]);
  });

  it('sends nothing after the channel closed', () => {
    const { acks, batcher, turn } = manual();
    batcher.add(300);
    batcher.stop();
    turn();
    batcher.add(5000);
    expect(acks).toEqual([]);
  });

  it('gives back exactly the credit it was handed, in acks of at least one byte', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 1, max: 40_000 }), fc.constant('turn' as const)), { maxLength: 200 }), (steps) => {
        const { acks, batcher, turn } = manual(65_536);
        let added = 0;
        for (const step of steps) {
          if (step === 'turn') turn();
          else {
            batcher.add(step);
            added += step;
          }
        }
        turn();
        expect(acks.every((b) => b >= 1)).toBe(true);
        expect(acks.reduce((a, b) => a + b, 0)).toBe(added);
      }),
    );
  });
});
