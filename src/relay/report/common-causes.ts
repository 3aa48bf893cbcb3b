// "Common causes of failures" (seed 003): every request of the month that did
// not become the session asked for, and every session that broke off, under one
// cause a help desk can act on (the user declined, nobody answered, nobody was
// there, the device was offline or its clock was off, policy or an approval
// refused it, the device dropped out, an access gate failed), with counts and
// the tickets it hit most. Relay refusals that never reached a device count
// too. A technician withdrawing a request is not a failure.
import type { AuditRecord } from '../audit/audit-record.js';
import type { SessionView } from '../audit/session-projection.js';
import { bump, sorted } from './failure-causes.js';

export const FAILURE_CAUSES = [
  'declined-by-user',
  'timeout',
  'no-user-present',
  'agent-offline',
  'clock-skew',
  'policy-blocked',
  'bad-approval',
  'agent-lost',
  'gate-failure',
  'relay-lost',
  'rate-limited',
  'audit-unavailable',
  'refused-by-relay',
  'verification-failed',
] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];

export interface CommonCause {
  cause: FailureCause;
  count: number;
  /** The tickets it hit most (at most TOP_TICKETS), most often first. */
  topTickets: string[];
}

const TOP_TICKETS = 3;

/** The cause of one request's failure, or null when it went as asked (or the technician withdrew it). */
export function causeOfRequest(v: SessionView): FailureCause | null {
  if (v.decisionCode === 'gate-failed') return 'gate-failure';
  if (v.endedBy === 'agent-lost') return 'agent-lost';
  switch (v.outcome) {
    case 'agent-offline':
      return 'agent-offline';
    case 'no-user-present':
      return 'no-user-present';
    case 'expired':
      return 'timeout';
    case 'blocked':
      if (v.decisionCode === 'bad-approval') return 'bad-approval';
      return v.decidedBy === 'verification' ? 'verification-failed' : 'policy-blocked';
    case 'declined':
      switch (v.decidedBy) {
        case 'timeout':
          return 'timeout';
        case 'relay-lost':
        case 'agent-restart':
          return 'relay-lost';
        case 'rate-limit':
        case 'queue-full':
          return 'rate-limited';
        case 'audit-failure':
          return 'audit-unavailable';
        case 'policy':
          return 'policy-blocked';
        case 'verification':
          return 'verification-failed';
        default:
          return 'declined-by-user';
      }
    default:
      return null;
  }
}

/** A technician's request the relay refused before any device saw it. */
function causeOfRefusal(r: AuditRecord<'rejected'>): FailureCause {
  switch (r.data.code) {
    case 'agent-offline':
      return 'agent-offline';
    case 'agent-clock-skew':
      return 'clock-skew';
    case 'bad-approval':
      return 'bad-approval';
    case 'rate-limited':
      return 'rate-limited';
    case 'audit-unavailable':
      return 'audit-unavailable';
    default:
      return 'refused-by-relay';
  }
}

export function commonCauses(month: readonly SessionView[], refusals: readonly AuditRecord<'rejected'>[]): CommonCause[] {
  const counts = new Map<FailureCause, number>();
  const tickets = new Map<FailureCause, Map<string, number>>();
  const count = (cause: FailureCause | null, ticket: string | null) => {
    if (cause === null) return;
    bump(counts, cause);
    const byTicket = tickets.get(cause) ?? new Map<string, number>();
    tickets.set(cause, byTicket);
    bump(byTicket, ticket ?? '(no ticket)');
  };
  for (const v of month) count(causeOfRequest(v), v.ticketId);
  for (const r of refusals) if (r.requestId === null && r.data.action === 'tech.request') count(causeOfRefusal(r), r.ticketId);
  return sorted(counts).map(([cause, n]) => ({
    cause,
    count: n,
    topTickets: sorted(tickets.get(cause)!).slice(0, TOP_TICKETS).map(([t]) => t),
  }));
}
