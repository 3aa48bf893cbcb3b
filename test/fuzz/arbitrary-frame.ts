// Frames a hostile peer might send: arbitrary text and JSON, valid messages of
// every type, the same with one field replaced or added, deep nesting, bad
// UTF-8 and frames just over the size limit. Shared by the agent and relay fuzzers.
import fc from 'fast-check';
import { MAX_FRAME_BYTES, type Message, type MessageType } from '../../src/protocol/index.js';
import { sampleMessages } from '../fixtures/sample-messages.js';

export const samples = Object.values(sampleMessages()) as Message[];

const FIELDS = ['v', 'type', 'id', 'sessionId', 'requestId', 'scopes', 'deviceId', 'payload', 'sig', 'granted', 'name', 'size', 'text', 'ticket', 'technician', 'approval', 'expiresAt', 'issuedAt', 'nonce', '__proto__', 'constructor'];

/** Replace one field of the payload of a signed message (keeps the envelope valid). */
function mutatePayload(m: Message, key: string, value: unknown): unknown {
  const payload = (m as { payload?: Record<string, unknown> }).payload;
  return payload ? { ...m, payload: { ...payload, [key]: value } } : { ...m, [key]: value };
}

/** Frames for a receiver that accepts `accept`: most are built from messages it would accept, so they get past the envelope. */
export function arbitraryFrameFor(accept: readonly MessageType[]): fc.Arbitrary<string | Buffer> {
  const mine = samples.filter((m) => accept.includes(m.type));
  return fc.oneof(
    { arbitrary: arbitraryFrame, weight: 1 },
    { arbitrary: fc.constantFrom(...mine).map((m) => JSON.stringify(m)), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom(...mine), fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 2 })).map(([m, k, v]) => JSON.stringify(mutatePayload(m, k, v))), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom(...mine), fc.constantFrom(...FIELDS)).map(([m, k]) => { const copy: Record<string, unknown> = { ...m }; delete copy[k]; return JSON.stringify(copy); }), weight: 1 },
  );
}

export const arbitraryFrame: fc.Arbitrary<string | Buffer> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 200 }), weight: 2 },
  { arbitrary: fc.json({ maxDepth: 3 }), weight: 2 },
  { arbitrary: fc.constantFrom(...samples).map((m) => JSON.stringify(m)), weight: 2 },
  { arbitrary: fc.tuple(fc.constantFrom(...samples), fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 2 })).map(([m, k, v]) => JSON.stringify({ ...m, [k]: v })), weight: 4 },
  { arbitrary: fc.tuple(fc.constantFrom(...samples), fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })).map(([m, k, v]) => JSON.stringify({ ...m, [k]: v })), weight: 2 },
  { arbitrary: fc.tuple(fc.constantFrom(...samples), fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 2 })).map(([m, k, v]) => JSON.stringify(mutatePayload(m, k, v))), weight: 3 },
  { arbitrary: fc.constantFrom(...samples).map((m) => { const { type: _t, ...rest } = m as Message & Record<string, unknown>; return JSON.stringify(rest); }), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 2000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)), weight: 1 },
  { arbitrary: fc.integer({ min: MAX_FRAME_BYTES - 16, max: MAX_FRAME_BYTES + 16 }).map((n) => `{"v":1,"type":"session.narration","id":"big","text":"${'x'.repeat(n)}"}`), weight: 1 },
);

/** The fixed seed of every fuzz run (printed, so a failure can be replayed). */
export const FUZZ_SEED = Number(process.env.PORCHLIGHT_FUZZ_SEED ?? 20261124);
