// The RFB client-stream parser and the input filter (RFC 6143 7.5): any
// split of a valid stream gives the same messages; view-only drops every
// input message; SetEncodings keeps only allowed encodings; garbage is a violation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CUT_TEXT_BYTES, RfbClientParser } from '../../../src/core/screen/rfb-client-messages.js';
import { ALLOWED_ENCODINGS, RfbInputFilter } from '../../../src/core/screen/rfb-input-filter.js';

const bytes = (...parts: number[]) => Buffer.from(parts);
const u16 = (n: number) => [n >> 8, n & 0xff];
const s32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return [...b];
};

// Flags are any byte: RFC 6143 says non-zero is true, and gtk-vnc sends 0xff (found with gvncviewer by hand).
const flag = fc.integer({ min: 0, max: 255 });
const setPixelFormat = fc.tuple(fc.constantFrom(8, 16, 32), flag, flag).map(([bpp, bigEndian, trueColour]) => bytes(0, 0, 0, 0, bpp, bpp === 32 ? 24 : bpp, bigEndian, trueColour, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0));
const setEncodings = fc.array(fc.integer({ min: -400, max: 20 }), { maxLength: 30 }).map((encs) => bytes(2, 0, ...u16(encs.length), ...encs.flatMap(s32)));
const updateRequest = fc.tuple(flag, fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 8, maxLength: 8 })).map(([inc, rest]) => bytes(3, inc, ...rest));
const keyEvent = fc.tuple(flag, fc.integer({ min: 0, max: 0xffff })).map(([down, key]) => bytes(4, down, 0, 0, 0, 0, ...u16(key)));
const pointerEvent = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })).map(([b, x, y]) => bytes(5, b, ...u16(x), ...u16(y)));
const cutText = fc.uint8Array({ maxLength: 300 }).map((t) => Buffer.concat([bytes(6, 0, 0, 0, ...s32(t.length)), Buffer.from(t)]));
const message = fc.oneof(setPixelFormat, setEncodings, updateRequest, keyEvent, pointerEvent, cutText);
const INPUT = new Set([4, 5, 6]);

/** Split `stream` at the given cut points. */
function split(stream: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (stream.byteLength + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of [...points, stream.byteLength]) {
    out.push(stream.subarray(at, p));
    at = p;
  }
  return out;
}

describe('RFB client stream', () => {
  it('parses any valid stream, split anywhere, into exactly its messages', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 10 }), (messages, cuts) => {
        const parser = new RfbClientParser();
        const got: Buffer[] = [];
        for (const chunk of split(Buffer.concat(messages), cuts)) {
          const step = parser.push(chunk);
          expect(step.ok).toBe(true);
          if (step.ok) got.push(...step.messages.map((m) => m.bytes));
        }
        expect(got.map((b) => b.toString('hex'))).toEqual(messages.map((b) => b.toString('hex')));
        expect(parser.pendingBytes).toBe(0);
      }),
    );
  });

  it('view only: no KeyEvent, PointerEvent or ClientCutText byte is forwarded, whatever the viewer sends', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 10 }), (messages, cuts) => {
        const filter = new RfbInputFilter(() => false);
        const out: Buffer[] = [];
        for (const chunk of split(Buffer.concat(messages), cuts)) {
          const step = filter.push(chunk);
          if (!step.ok) throw new Error(step.detail);
          out.push(...step.forward);
        }
        const reparsed = new RfbClientParser().push(Buffer.concat(out));
        expect(reparsed.ok).toBe(true);
        if (reparsed.ok) expect(reparsed.messages.filter((m) => INPUT.has(m.bytes[0]!))).toEqual([]);
        const nonInput = messages.filter((m) => !INPUT.has(m[0]!)).length;
        if (reparsed.ok) expect(reparsed.messages.length).toBe(nonInput);
      }),
    );
  });

  it('control: input passes unchanged; revoking control takes effect from the next message', () => {
    let control = true;
    const filter = new RfbInputFilter(() => control);
    const pointer = bytes(5, 1, 0, 10, 0, 20);
    const first = filter.push(pointer);
    expect(first).toMatchObject({ ok: true, inputForwarded: true });
    if (first.ok) expect(Buffer.concat(first.forward)).toEqual(pointer);
    control = false;
    expect(filter.push(Buffer.concat([pointer, bytes(4, 1, 0, 0, 0, 0, 0, 65)]))).toMatchObject({ ok: true, forward: [], dropped: ['pointer', 'key'] });
  });

  it('SetEncodings keeps only allowed encodings, in order', () => {
    fc.assert(
      fc.property(setEncodings, (msg) => {
        const step = new RfbInputFilter(() => true).push(msg);
        expect(step.ok).toBe(true);
        if (!step.ok) return;
        const out = step.forward[0]!;
        const kept = Array.from({ length: out.readUInt16BE(2) }, (_, i) => out.readInt32BE(4 + 4 * i));
        const sent = Array.from({ length: msg.readUInt16BE(2) }, (_, i) => msg.readInt32BE(4 + 4 * i));
        expect(kept).toEqual(sent.filter((e) => ALLOWED_ENCODINGS.has(e)));
      }),
    );
    // Extended clipboard, fences, continuous updates, ExtendedDesktopSize, QEMU keys are never asked of the server.
    for (const enc of [0xc0a1e5ce | 0, -312, -313, -308, -258]) expect(ALLOWED_ENCODINGS.has(enc)).toBe(false);
  });

  it('a viewer that says "true" with 0xff is not garbage (gtk-vnc\'s SetPixelFormat)', () => {
    const filter = new RfbInputFilter(() => true);
    const gtkVnc = bytes(0, 0, 0, 0, 32, 24, 0, 0xff, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0);
    expect(filter.push(Buffer.concat([gtkVnc, bytes(3, 0xff, 0, 0, 0, 0, 1, 64, 0, 240), bytes(4, 0xff, 0, 0, 0, 0, 0, 65)]))).toMatchObject({ ok: true, forward: [gtkVnc, expect.anything(), expect.anything()] });
  });

  it('garbage is a violation and stays one: unknown types, odd pixel formats, negative or oversize clipboards', () => {
    const cases = [
      bytes(7),
      bytes(150, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      bytes(248, 0, 0, 0, 0),
      bytes(255, 0, 0, 0),
      bytes(0, 0, 0, 0, 24, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0),
      bytes(6, 0, 0, 0, ...s32(-8)),
      bytes(6, 0, 0, 0, ...s32(MAX_CUT_TEXT_BYTES + 1)),
    ];
    for (const c of cases) {
      const filter = new RfbInputFilter(() => true);
      expect(filter.push(c)).toMatchObject({ ok: false });
      expect(filter.push(bytes(3, 0, 0, 0, 0, 0, 0, 1, 0, 1))).toMatchObject({ ok: false });
    }
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), (chunks) => {
        const filter = new RfbInputFilter(() => false);
        for (const c of chunks) {
          const step = filter.push(c);
          if (step.ok) for (const f of step.forward) expect(INPUT.has(f[0]!)).toBe(false);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
