// The `id` of a frame the relay refuses before handling it (rate limit), for
// `re` on the refusal. Only a JSON object's own top-level string `id` counts;
// anything else gives no `re`. Bounded work: frames are at most 64 KiB and a
// flooding peer is disconnected after its abuse threshold.
import { identifier } from '../protocol/primitives.js';

export function refusedFrameId(text: string | null): string | undefined {
  if (text === null || !text.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    const id = value !== null && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
    // Only an id the error schema accepts as `re`: the refusal itself must be a valid frame.
    return identifier.safeParse(id).success ? (id as string) : undefined;
  } catch {
    return undefined;
  }
}
