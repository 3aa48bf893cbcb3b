// The client-to-server side of RFB (RFC 6143 section 7.5) after ClientInit,
// parsed incrementally into whole messages. Only the six standard messages
// exist here: anything else, a bad field or an oversize clipboard is a
// violation and the caller closes the channel. The pending buffer is bounded
// by the largest message (a clipboard of MAX_CUT_TEXT_BYTES).

export const RFB_CLIENT_TYPES = {
  0: 'set-pixel-format',
  2: 'set-encodings',
  3: 'update-request',
  4: 'key',
  5: 'pointer',
  6: 'cut-text',
} as const;
export type RfbClientMessageType = (typeof RFB_CLIENT_TYPES)[keyof typeof RFB_CLIENT_TYPES];

/** Largest ClientCutText text Porchlight passes on. */
export const MAX_CUT_TEXT_BYTES = 1024 * 1024;

export interface RfbClientMessage {
  type: RfbClientMessageType;
  /** The whole message as sent, header included. */
  bytes: Buffer;
}

export type RfbParseStep = { ok: true; messages: RfbClientMessage[] } | { ok: false; detail: string };

export class RfbClientParser {
  private pending: Buffer = Buffer.alloc(0);
  private broken: string | undefined;

  /** Bytes held for an incomplete message (bounded by the largest message). */
  get pendingBytes(): number {
    return this.pending.byteLength;
  }

  push(chunk: Uint8Array): RfbParseStep {
    if (this.broken) return { ok: false, detail: this.broken };
    this.pending = this.pending.byteLength === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const messages: RfbClientMessage[] = [];
    for (;;) {
      const size = messageSize(this.pending);
      if (typeof size === 'string') {
        this.broken = size;
        this.pending = Buffer.alloc(0);
        return { ok: false, detail: size };
      }
      if (size === undefined || this.pending.byteLength < size) break;
      const bytes = this.pending.subarray(0, size);
      const bad = fieldProblem(bytes);
      if (bad) {
        this.broken = bad;
        this.pending = Buffer.alloc(0);
        return { ok: false, detail: bad };
      }
      messages.push({ type: RFB_CLIENT_TYPES[bytes[0] as keyof typeof RFB_CLIENT_TYPES], bytes: Buffer.from(bytes) });
      this.pending = this.pending.subarray(size);
    }
    return { ok: true, messages };
  }
}

/** The whole message's length once its header is readable; undefined: need more; string: violation. */
function messageSize(b: Buffer): number | undefined | string {
  if (b.byteLength === 0) return undefined;
  switch (b[0]) {
    case 0:
      return 20;
    case 2:
      return b.byteLength < 4 ? undefined : 4 + 4 * b.readUInt16BE(2);
    case 3:
      return 10;
    case 4:
      return 8;
    case 5:
      return 6;
    case 6: {
      if (b.byteLength < 8) return undefined;
      const length = b.readInt32BE(4);
      if (length < 0) return 'RFB ClientCutText with a negative length (extended clipboard) is not supported';
      if (length > MAX_CUT_TEXT_BYTES) return `RFB ClientCutText over ${MAX_CUT_TEXT_BYTES} bytes`;
      return 8 + length;
    }
    default:
      return `RFB client message type ${b[0]} is not one Porchlight passes on`;
  }
}

/**
 * Field checks on a complete message (RFC 6143 7.4-7.5): pixel formats are real ones. Flags (big-endian,
 * true-colour, incremental, key down) are "non-zero means true" in the RFC, and real viewers send other
 * values than 1 (gtk-vnc's SetPixelFormat does), so any byte is a flag.
 */
function fieldProblem(m: Buffer): string | undefined {
  if (m[0] !== 0) return undefined;
  const bpp = m[4]!;
  const depth = m[5]!;
  if (![8, 16, 32].includes(bpp)) return `RFB SetPixelFormat with ${bpp} bits per pixel`;
  if (depth < 1 || depth > bpp) return `RFB SetPixelFormat with depth ${depth}`;
  return undefined;
}
