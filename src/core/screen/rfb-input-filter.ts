// What of the viewer's RFB stream reaches the VNC server. Display requests
// always pass; KeyEvent, PointerEvent and ClientCutText only while `control`
// is granted (asked per message, so a revoke counts from the next one).
// SetEncodings is rewritten to an allowlist, so the server never enables an
// extension whose client messages Porchlight does not parse (fences,
// continuous updates, SetDesktopSize, QEMU keys, extended clipboard).
import { RfbClientParser, type RfbClientMessage } from './rfb-client-messages.js';

/** Encodings and pseudo-encodings a viewer may ask for (RFC 6143 7.7, 7.8 and the community registry). */
export const ALLOWED_ENCODINGS: ReadonlySet<number> = new Set([
  0, // Raw
  1, // CopyRect
  2, // RRE
  5, // Hextile
  6, // zlib
  7, // Tight
  8, // zlibhex
  15, // TRLE
  16, // ZRLE
  -223, // DesktopSize (server-initiated only)
  -224, // LastRect
  -232, // PointerPos
  -239, // Cursor
  -240, // XCursor
  -307, // DesktopName
  ...range(-32, -23), // Tight JPEG quality levels
  ...range(-256, -247), // Tight compression levels
]);

export type FilterStep =
  | { ok: true; forward: Buffer[]; dropped: RfbClientMessage['type'][]; inputForwarded: boolean }
  | { ok: false; detail: string };

export class RfbInputFilter {
  private readonly parser = new RfbClientParser();

  constructor(private readonly controlAllowed: () => boolean) {}

  push(chunk: Uint8Array): FilterStep {
    const step = this.parser.push(chunk);
    if (!step.ok) return step;
    const forward: Buffer[] = [];
    const dropped: RfbClientMessage['type'][] = [];
    let inputForwarded = false;
    for (const m of step.messages) {
      if (m.type === 'key' || m.type === 'pointer' || m.type === 'cut-text') {
        if (this.controlAllowed()) {
          forward.push(m.bytes);
          inputForwarded = true;
        } else dropped.push(m.type);
      } else if (m.type === 'set-encodings') {
        forward.push(allowedEncodings(m.bytes));
      } else {
        forward.push(m.bytes);
      }
    }
    return { ok: true, forward, dropped, inputForwarded };
  }
}

/** The SetEncodings message with only allowed encodings, in the viewer's order. */
export function allowedEncodings(msg: Buffer): Buffer {
  const kept: number[] = [];
  for (let i = 4; i < msg.byteLength; i += 4) {
    const enc = msg.readInt32BE(i);
    if (ALLOWED_ENCODINGS.has(enc)) kept.push(enc);
  }
  const out = Buffer.alloc(4 + 4 * kept.length);
  out[0] = 2;
  out.writeUInt16BE(kept.length, 2);
  kept.forEach((enc, i) => out.writeInt32BE(enc, 4 + 4 * i));
  return out;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let n = from; n <= to; n++) out.push(n);
  return out;
}
