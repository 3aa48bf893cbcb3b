// The sending side of a data channel (shared by the agent, the CLI and the
// console): never more than the window in flight, bytes out in order and
// whole, the backlog reported, and an over-ack refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CreditWindow, frameCharge, MAX_CHANNEL_CHUNK } from '../../src/protocol/channel-frame.js';
import { ChannelSender } from '../../src/protocol/channel-sender.js';

const concat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('ChannelSender', () => {
  it('keeps within the window whatever is pushed and acked, sends everything in order once acked, and says when bytes wait', () => {
    const step = fc.oneof(
      fc.record({ push: fc.uint8Array({ minLength: 1, maxLength: 3 * MAX_CHANNEL_CHUNK }) }),
      fc.record({ ackFraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
    );
    // Windows of at least one full frame, as every peer's is (CHANNEL_WINDOW_BYTES).
    fc.assert(
      fc.property(fc.integer({ min: MAX_CHANNEL_CHUNK, max: 4 * MAX_CHANNEL_CHUNK }), fc.array(step, { maxLength: 40 }), (windowBytes, steps) => {
        const window = new CreditWindow(windowBytes);
        const sent: Uint8Array[] = [];
        const backlog: boolean[] = [];
        let inFlight = 0;
        const sender = new ChannelSender((p) => {
          sent.push(p);
          inFlight += frameCharge(p.byteLength);
        }, (b) => backlog.push(b), window);
        const pushed: Uint8Array[] = [];
        const check = () => {
          expect(inFlight).toBeLessThanOrEqual(windowBytes);
          expect(sent.every((p) => p.byteLength >= 1 && p.byteLength <= MAX_CHANNEL_CHUNK)).toBe(true);
          expect(backlog.at(-1) ?? false).toBe(sender.waiting > 0);
        };
        for (const s of steps) {
          if ('push' in s) {
            pushed.push(s.push);
            sender.push(s.push);
          } else if (inFlight > 0) {
            const bytes = Math.max(1, Math.floor(inFlight * s.ackFraction));
            inFlight -= bytes; // before: the ack may send more at once
            expect(sender.ack(bytes)).toBe(true);
          }
          check();
        }
        // Everything acked: what was pushed has gone out, whole and in order.
        while (sender.waiting > 0) {
          const bytes = inFlight;
          inFlight = 0;
          expect(sender.ack(bytes)).toBe(true);
          check();
        }
        expect(concat(sent)).toEqual(concat(pushed));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an ack for more than is in flight and changes nothing', () => {
    const sent: Uint8Array[] = [];
    const sender = new ChannelSender((p) => sent.push(p), undefined, new CreditWindow(1024));
    sender.push(new Uint8Array(600));
    sender.push(new Uint8Array(600));
    expect(sent).toHaveLength(1);
    expect(sender.ack(601)).toBe(false);
    expect(sent).toHaveLength(1);
    expect(sender.ack(600)).toBe(true);
    expect(sent).toHaveLength(2);
  });

  it('sends nothing after stop', () => {
    const sent: Uint8Array[] = [];
    const sender = new ChannelSender((p) => sent.push(p), undefined, new CreditWindow(1024));
    sender.push(new Uint8Array(1000));
    sender.push(new Uint8Array(1000));
    sender.stop();
    expect(sender.ack(1000)).toBe(true);
    sender.push(new Uint8Array(10));
    expect(sent).toHaveLength(1);
    expect(sender.waiting).toBe(0);
  });
});
