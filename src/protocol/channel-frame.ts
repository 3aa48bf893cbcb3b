// Binary frames of a session's data channel (docs/protocol.md "Data channel").
// One WebSocket binary frame each:
//   u8 version (1) | u8 kind (1 data, 2 ack) | u32 channel (big-endian) |
//   u8 sessionId length | sessionId (ASCII, the identifier pattern) | body
// data: body is 1..MAX_CHANNEL_CHUNK bytes of the tunnelled stream.
// ack:  body is exactly a u32: bytes the receiver has passed on (credit back).
// Parsed strictly: anything else is a `channel-violation`. Browser-safe (no Node imports).

export const CHANNEL_FRAME_VERSION = 1;
export const CHANNEL_FRAME_KINDS = { data: 1, ack: 2 } as const;
/** Largest data body per frame: far below the 64 KiB WebSocket payload cap every peer sets. */
export const MAX_CHANNEL_CHUNK = 32 * 1024;
/**
 * Bytes a sender may have unacknowledged per channel and direction (the credit window). Throughput is about
 * window / round trip, so it is as large as it can be while staying well under the relay's 1 MiB
 * send-buffer cap per peer (a full window to a slow reader must not look like a stuck one).
 */
export const CHANNEL_WINDOW_BYTES = 512 * 1024;
/** Each data frame costs at least this much credit, so tiny frames cannot multiply the frames in flight. */
export const MIN_FRAME_CHARGE = 512;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

export type ChannelFrame =
  | { kind: 'data'; channel: number; sessionId: string; payload: Uint8Array }
  | { kind: 'ack'; channel: number; sessionId: string; bytes: number };

export type ChannelFrameResult = { ok: true; frame: ChannelFrame } | { ok: false; detail: string };

/** What a data frame of `payloadBytes` costs against the window. */
export function frameCharge(payloadBytes: number): number {
  return Math.max(payloadBytes, MIN_FRAME_CHARGE);
}

export function encodeChannelFrame(frame: ChannelFrame): Uint8Array {
  // The id pattern is ASCII, so its bytes are its char codes (no TextEncoder per frame on the hot path).
  const id = frame.sessionId;
  if (!ID_PATTERN.test(id)) throw new TypeError('channel frame: session id is not an identifier');
  if (!Number.isInteger(frame.channel) || frame.channel < 0 || frame.channel > 0xffffffff) throw new RangeError('channel frame: bad channel number');
  const bodyLength = frame.kind === 'data' ? frame.payload.byteLength : 4;
  if (frame.kind === 'data' && (bodyLength < 1 || bodyLength > MAX_CHANNEL_CHUNK)) throw new RangeError('channel frame: bad data length');
  if (frame.kind === 'ack' && (!Number.isInteger(frame.bytes) || frame.bytes < 1 || frame.bytes > 0xffffffff)) throw new RangeError('channel frame: bad ack count');
  const head = 7 + id.length;
  const out = new Uint8Array(head + bodyLength);
  const view = new DataView(out.buffer);
  out[0] = CHANNEL_FRAME_VERSION;
  out[1] = CHANNEL_FRAME_KINDS[frame.kind];
  view.setUint32(2, frame.channel);
  out[6] = id.length;
  for (let i = 0; i < id.length; i++) out[7 + i] = id.charCodeAt(i);
  if (frame.kind === 'data') out.set(frame.payload, head);
  else view.setUint32(head, frame.bytes);
  return out;
}

export function parseChannelFrame(bytes: Uint8Array): ChannelFrameResult {
  if (bytes.byteLength < 8) return { ok: false, detail: 'channel frame shorter than its header' };
  if (bytes[0] !== CHANNEL_FRAME_VERSION) return { ok: false, detail: `channel frame version must be ${CHANNEL_FRAME_VERSION}` };
  const kind = bytes[1] === CHANNEL_FRAME_KINDS.data ? 'data' : bytes[1] === CHANNEL_FRAME_KINDS.ack ? 'ack' : undefined;
  if (!kind) return { ok: false, detail: 'channel frame kind must be 1 (data) or 2 (ack)' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const channel = view.getUint32(2);
  const idLength = bytes[6]!;
  if (idLength < 1 || idLength > 64 || 7 + idLength > bytes.byteLength) return { ok: false, detail: 'channel frame session id length is out of range' };
  let sessionId = '';
  for (let i = 7; i < 7 + idLength; i++) sessionId += String.fromCharCode(bytes[i]!);
  if (!ID_PATTERN.test(sessionId)) return { ok: false, detail: 'channel frame session id is not an identifier' };
  const body = bytes.subarray(7 + idLength);
  if (kind === 'ack') {
    if (body.byteLength !== 4) return { ok: false, detail: 'channel ack body must be exactly 4 bytes' };
    const acked = new DataView(body.buffer, body.byteOffset, 4).getUint32(0);
    if (acked === 0) return { ok: false, detail: 'channel ack must acknowledge at least one byte' };
    return { ok: true, frame: { kind, channel, sessionId, bytes: acked } };
  }
  if (body.byteLength < 1 || body.byteLength > MAX_CHANNEL_CHUNK) {
    return { ok: false, detail: `channel data body must be 1..${MAX_CHANNEL_CHUNK} bytes` };
  }
  return { ok: true, frame: { kind, channel, sessionId, payload: body } };
}

/**
 * One direction's credit: what the sender has in flight. Senders stop at the
 * window; the relay uses the same object to refuse a sender that does not.
 */
export class CreditWindow {
  private inFlight = 0;

  constructor(readonly windowBytes: number = CHANNEL_WINDOW_BYTES) {}

  get used(): number {
    return this.inFlight;
  }

  /** Room for a data frame of this size right now. */
  fits(payloadBytes: number): boolean {
    return this.inFlight + frameCharge(payloadBytes) <= this.windowBytes;
  }

  /** Count a data frame; false (and nothing counted) when it overruns the window. */
  charge(payloadBytes: number): boolean {
    if (!this.fits(payloadBytes)) return false;
    this.inFlight += frameCharge(payloadBytes);
    return true;
  }

  /** Credit back; false (and nothing changed) when it acknowledges more than is in flight. */
  release(bytes: number): boolean {
    if (bytes < 1 || bytes > this.inFlight) return false;
    this.inFlight -= bytes;
    return true;
  }
}
