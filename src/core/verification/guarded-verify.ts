// Runs a verification and turns what it throws into a rejection. Verification
// remembers the nonce durably (replay cache): if that write fails (full disk,
// unwritable data dir) the request is declined as `audit-unavailable`. Anything
// else thrown is a bug: declined as `internal`, with its message, never as a disk problem.
import type { DecidedBy } from '../../protocol/messages.js';
import { UNSAFE_LINE_CHARS } from '../../protocol/primitives.js';
import { ReplayCacheWriteError } from './replay-cache.js';

export const REPLAY_UNWRITABLE_DETAIL =
  'the replay cache could not be written, so a replay could not be ruled out; nothing was granted';

export interface VerificationFault {
  fault: true;
  decidedBy: Extract<DecidedBy, 'audit-failure' | 'verification'>;
  code: 'audit-unavailable' | 'internal';
  detail: string;
}

export function guardedVerify<T>(verify: () => T): T | VerificationFault {
  try {
    return verify();
  } catch (err) {
    if (err instanceof ReplayCacheWriteError) {
      return { fault: true, decidedBy: 'audit-failure', code: 'audit-unavailable', detail: REPLAY_UNWRITABLE_DETAIL };
    }
    return { fault: true, decidedBy: 'verification', code: 'internal', detail: internalDetail(err) };
  }
}

export function isVerificationFault(value: unknown): value is VerificationFault {
  return typeof value === 'object' && value !== null && (value as { fault?: unknown }).fault === true;
}

/** One safe line of at most 300 characters: the wire's `detail` field refuses controls and bidi marks. */
function internalDetail(err: unknown): string {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const safe = message.replace(new RegExp(UNSAFE_LINE_CHARS.source, 'gu'), ' ').trim();
  // Cut at 300 UTF-16 units without leaving half a surrogate pair.
  return `internal error during verification: ${safe}`.slice(0, 300).replace(/[\uD800-\uDBFF]$/, '');
}
