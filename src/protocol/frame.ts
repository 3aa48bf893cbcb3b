// The protocol's single entry point for inbound frames. Never throws.
// Browser-safe (no Node imports).
import type { z } from 'zod';
import type { ErrorCode } from './error-codes.js';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from './limits.js';
import { UNSAFE_LINE_CHARS } from './primitives.js';
import { MESSAGE_SCHEMAS, type Message, type MessageType } from './messages.js';

export type FrameResult<T extends MessageType = MessageType> =
  | { ok: true; msg: Message<T> }
  | { ok: false; code: ErrorCode; detail: string; /** the offending message's id, if readable */ re?: string };

const encoder = new TextEncoder();

export function utf8Length(text: string): number {
  // Each UTF-16 unit is 1..3 UTF-8 bytes: skip the encode when the bound already decides.
  if (text.length * 3 <= MAX_FRAME_BYTES) return text.length;
  return encoder.encode(text).byteLength;
}

/**
 * Parse and validate one text frame. `accept` limits which message types this
 * receiver takes; others give `unexpected-type`.
 */
export function parseFrame<T extends MessageType = MessageType>(text: unknown, accept?: readonly T[]): FrameResult<T> {
  try {
    return parseUnsafe(text, accept);
  } catch {
    return { ok: false, code: 'internal', detail: 'frame could not be processed' };
  }
}

function parseUnsafe<T extends MessageType>(text: unknown, accept?: readonly T[]): FrameResult<T> {
  if (typeof text !== 'string') return { ok: false, code: 'bad-frame', detail: 'frame must be a text frame' };
  if (text.length > MAX_FRAME_BYTES || utf8Length(text) > MAX_FRAME_BYTES) {
    return { ok: false, code: 'too-large', detail: `frame exceeds ${MAX_FRAME_BYTES} bytes` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad-frame', detail: 'frame is not valid JSON' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, code: 'bad-frame', detail: 'frame must be a JSON object' };
  }
  const record = data as Record<string, unknown>;
  const re = readableId(record.id);
  if (record.v !== PROTOCOL_VERSION) {
    return rejected('bad-version', `protocol version must be ${PROTOCOL_VERSION}`, re);
  }
  const type = record.type;
  if (typeof type !== 'string' || !Object.hasOwn(MESSAGE_SCHEMAS, type)) {
    return rejected('unknown-type', 'message type is not part of protocol v1', re);
  }
  if (accept && !(accept as readonly string[]).includes(type)) {
    return rejected('unexpected-type', `${type} is not accepted here`, re);
  }
  const schema = MESSAGE_SCHEMAS[type as MessageType] as z.ZodType;
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    return rejected('bad-frame', describeIssues(type, parsed.error), re);
  }
  return { ok: true, msg: parsed.data as Message<T> };
}

function readableId(id: unknown): string | undefined {
  return typeof id === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(id) ? id : undefined;
}

function rejected(code: ErrorCode, detail: string, re: string | undefined): { ok: false; code: ErrorCode; detail: string; re?: string } {
  return re === undefined ? { ok: false, code, detail } : { ok: false, code, detail, re };
}

/** A short, safe description of what was wrong: paths and messages, never the offending values. */
export function describeIssues(type: string, error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(message)';
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return `${type}: ${parts.join('; ')}${more}`.slice(0, 480);
}

/** Serialise an outbound message; validates it so we never send what peers must reject. */
export function encodeFrame<T extends MessageType>(msg: Message<T>): string {
  const schema = MESSAGE_SCHEMAS[msg.type as MessageType] as z.ZodType;
  const parsed = schema.safeParse(msg);
  if (!parsed.success) throw new TypeError(`refusing to send an invalid message: ${describeIssues(msg.type, parsed.error)}`);
  const text = JSON.stringify(parsed.data);
  if (utf8Length(text) > MAX_FRAME_BYTES) throw new RangeError(`refusing to send a frame over ${MAX_FRAME_BYTES} bytes`);
  return text;
}

export function newMessageId(): string {
  return globalThis.crypto.randomUUID();
}

/** Build a typed `error` reply. */
export function errorMessage(code: ErrorCode, detail?: string, re?: string): Message<'error'> {
  const msg: Message<'error'> = { v: 1, type: 'error', id: newMessageId(), code };
  if (detail !== undefined) msg.detail = sanitizeDetail(detail);
  if (re !== undefined) msg.re = re;
  return msg;
}

function sanitizeDetail(detail: string): string {
  const clean = detail.replace(UNSAFE_LINE_CHARS, ' ').trim();
  return (clean.length > 0 ? clean : 'error').slice(0, 500);
}
