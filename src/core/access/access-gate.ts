// The port through which consent opens and closes real access. A scope is
// reported to the technician as granted only after its gate applied it.
// Gates are chosen by IT policy (managed or local admin), never by the relay.
import type { Scope } from '../../protocol/scopes.js';

/** What a gate knows about the session it opens access for. */
export interface GateSession {
  readonly sessionId: string;
  readonly ticketId: string;
  readonly technicianId: string;
  readonly technicianName: string;
  readonly deviceId: string;
}

/** Stable codes of a gate failure (audited, and turned into words for the user). */
export const GATE_ERROR_CODES = [
  'gate-failed', // the gate ran and reported failure (e.g. a hook exited non-zero)
  'gate-timeout', // the gate did not finish in its time
  'gate-unavailable', // the gate's backend could not be reached or started
  'gate-misconfigured', // the gate's policy is unusable (e.g. a relative hook path)
] as const;
export type GateErrorCode = (typeof GATE_ERROR_CODES)[number];

export class GateError extends Error {
  override readonly name = 'GateError';
  constructor(
    readonly code: GateErrorCode,
    readonly gate: string,
    message: string,
    /** Bounded extra facts for the audit record (exit status, captured output). */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export interface AccessGate {
  /** Stable name for audit and user messages ("command", "screen", "file"). */
  readonly name: string;
  /** Open access for the scope; resolves only once applied, rejects with GateError. */
  grant(session: GateSession, scope: Scope): Promise<void>;
  /** Close access for the scope; idempotent (revoking what is not open resolves). */
  revoke(session: GateSession, scope: Scope): Promise<void>;
  /** Close everything this gate opened for the session; idempotent. */
  end(session: GateSession): Promise<void>;
}

/** Any thrown value as a GateError of this gate (a gate bug still fails closed). */
export function asGateError(gate: string, e: unknown): GateError {
  if (e instanceof GateError) return e;
  return new GateError('gate-failed', gate, e instanceof Error ? e.message : String(e));
}
