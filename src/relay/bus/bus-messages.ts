// Envelopes between relay instances. Frames inside are the protocol's own text and are parsed
// with parseFrame on arrival, like frames from a socket.
import { z } from 'zod';
import { identifier, lineText } from '../../protocol/primitives.js';

const instanceId = identifier;

export const presenceMessageSchema = z.discriminatedUnion('k', [
  z.strictObject({ k: z.literal('attach'), d: identifier, i: instanceId }),
  z.strictObject({ k: z.literal('detach'), d: identifier, i: instanceId }),
  z.strictObject({ k: z.literal('alive'), i: instanceId }),
]);

export const instanceMessageSchema = z.discriminatedUnion('k', [
  /** A frame for a device whose socket is on the receiving instance. */
  z.strictObject({ k: z.literal('to-agent'), d: identifier, from: instanceId, frame: z.string().max(70_000) }),
  /** A frame the device sent, for the instance that owns its request or session. */
  z.strictObject({ k: z.literal('from-agent'), d: identifier, from: instanceId, frame: z.string().max(70_000) }),
  /** A data-channel frame (base64), either way; its session id is in its own header. */
  z.strictObject({ k: z.literal('to-agent-bin'), d: identifier, from: instanceId, data: z.base64().max(50_000) }),
  z.strictObject({ k: z.literal('from-agent-bin'), d: identifier, from: instanceId, data: z.base64().max(50_000) }),
  z.strictObject({ k: z.literal('close-agent'), d: identifier, code: z.number().int().min(1000).max(4999), reason: lineText(120) }),
]);

export type InstanceMessage = z.infer<typeof instanceMessageSchema>;

/** JSON text -> envelope, or null for anything malformed (logged by the caller, never thrown). */
export function parseBusMessage<S extends z.ZodType>(schema: S, text: string): z.infer<S> | null {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
