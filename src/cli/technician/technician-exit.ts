// How the technician tools turn relay answers into exit codes (stable:
// scripts depend on them, see src/cli/exit-codes.ts).
import type { RefusalCode } from './outcome-event.js';
import type { Message } from '../../protocol/messages.js';
import { EXIT } from '../exit-codes.js';

export function exitForError(code: RefusalCode): number {
  switch (code) {
    case 'agent-offline':
    case 'agent-clock-skew':
    case 'unknown-device':
      return EXIT.agentOffline;
    case 'unauthorized':
    case 'mfa-required':
      return EXIT.unauthorized;
    case 'forbidden':
    case 'bad-approval':
    case 'approval-used-up':
    case 'policy-blocked':
    case 'wrong-device':
    case 'documentation-required':
      return EXIT.blocked;
    case 'expired':
      return EXIT.expired;
    default:
      return EXIT.other;
  }
}

/** The exit code of an answer that grants nothing: declined (or nobody there), expired, blocked. */
export function exitForRefusal(outcome: 'declined' | 'no-user-present' | 'expired' | 'blocked'): number {
  if (outcome === 'expired') return EXIT.expired;
  if (outcome === 'blocked') return EXIT.blocked;
  return EXIT.declined;
}

/** 0 only when every requested scope was granted. */
export function exitForDecision(decision: Message<'session.decision'>, requested: readonly string[]): number {
  switch (decision.outcome) {
    case 'accepted':
      return requested.every((s) => (decision.granted as readonly string[]).includes(s)) ? EXIT.ok : EXIT.partial;
    case 'partial':
      return EXIT.partial;
    default:
      return exitForRefusal(decision.outcome);
  }
}
