// The data channel's binary header is parsed strictly and round-trips; the
// credit window refuses overruns and over-acks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNEL_WINDOW_BYTES, CreditWindow, encodeChannelFrame, MAX_CHANNEL_CHUNK, MIN_FRAME_CHARGE, parseChannelFrame } from '../../src/protocol/channel-frame.js';

const sessionId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/);

describe('channel frames', () => {
  it('round-trips every data and ack frame', () => {
    fc.assert(
      fc.property(sessionId, fc.integer({ min: 0, max: 0xffffffff }), fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.integer({ min: 1, max: 0xffffffff }), (id, channel, payload, bytes) => {
        const data = parseChannelFrame(encodeChannelFrame({ kind: 'data', sessionId: id, channel, payload }));
        expect(data).toEqual({ ok: true, frame: { kind: 'data', sessionId: id, channel, payload } });
        const ack = parseChannelFrame(encodeChannelFrame({ kind: 'ack', sessionId: id, channel, bytes }));
        expect(ack).toEqual({ ok: true, frame: { kind: 'ack', sessionId: id, channel, bytes } });
      }),
    );
  });

  it('never throws on arbitrary bytes, and accepts only well-formed headers', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = parseChannelFrame(bytes);
        if (!r.ok) return;
        expect(bytes[0]).toBe(1);
        expect([1, 2]).toContain(bytes[1]);
        expect(r.frame.sessionId).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/);
      }),
      { numRuns: 20_000 },
    );
  });

  it('refuses a wrong version, kind, id length, id characters, empty or oversize data and a bad ack body', () => {
    const good = encodeChannelFrame({ kind: 'data', sessionId: 'ses-1', channel: 7, payload: new Uint8Array([1, 2, 3]) });
    const mutate = (at: number, value: number) => {
      const b = new Uint8Array(good);
      b[at] = value;
      return parseChannelFrame(b);
    };
    expect(parseChannelFrame(good).ok).toBe(true);
    expect(mutate(0, 2)).toMatchObject({ ok: false, detail: expect.stringContaining('version') });
    expect(mutate(1, 3)).toMatchObject({ ok: false, detail: expect.stringContaining('kind') });
    expect(mutate(6, 0)).toMatchObject({ ok: false });
    expect(mutate(6, 200)).toMatchObject({ ok: false });
    expect(mutate(7, '/'.charCodeAt(0))).toMatchObject({ ok: false, detail: expect.stringContaining('identifier') });
    expect(parseChannelFrame(good.subarray(0, 12))).toMatchObject({ ok: false }); // header only: no data
    const big = new Uint8Array(12 + MAX_CHANNEL_CHUNK + 1);
    big.set(good.subarray(0, 12));
    expect(parseChannelFrame(big)).toMatchObject({ ok: false, detail: expect.stringContaining('1..') });
    const ack = encodeChannelFrame({ kind: 'ack', sessionId: 'ses-1', channel: 7, bytes: 10 });
    expect(parseChannelFrame(ack.subarray(0, ack.byteLength - 1))).toMatchObject({ ok: false, detail: expect.stringContaining('4 bytes') });
    const zero = new Uint8Array(ack);
    zero.fill(0, zero.byteLength - 4);
    expect(parseChannelFrame(zero)).toMatchObject({ ok: false, detail: expect.stringContaining('at least one') });
  });

  it('credit: a sender fits the window, tiny frames cost the minimum, over-acks and overruns are refused', () => {
    const w = new CreditWindow();
    let sent = 0;
    while (w.charge(1)) sent++;
    expect(sent).toBe(CHANNEL_WINDOW_BYTES / MIN_FRAME_CHARGE);
    expect(w.release(w.used + 1)).toBe(false);
    expect(w.release(MIN_FRAME_CHARGE)).toBe(true);
    expect(w.charge(MIN_FRAME_CHARGE + 1)).toBe(false);
    expect(w.charge(MIN_FRAME_CHARGE)).toBe(true);
  });
});
