// `porchlight request --json`: every terminal outcome is one decision-like
// line, whichever side ended it, so a script reads `outcome`, `granted`,
// `declined`, `decidedBy`, `code` and `detail` in one place:
//   - the agent's `session.decision` as sent (with `code`/`detail` null when absent);
//   - a relay refusal (permission, approval, offline device, bad token) as
//     `{type: "session.decision", outcome, granted: [], declined: <requested>,
//     decidedBy: "relay", code, detail, re}`;
//   - the command's own ends: no connection (`decidedBy: "connection"`) and
//     `--timeout` (`decidedBy: "technician"`).
import type { ErrorCode } from '../../protocol/error-codes.js';
import type { Message } from '../../protocol/messages.js';
import { sortScopes, type Scope } from '../../protocol/scopes.js';

/** Outcomes beyond the agent's: the request never reached a decision on the device. */
export type RefusalOutcome = 'blocked' | 'expired' | 'offline' | 'unauthorized' | 'failed';
export type RefusedBy = 'relay' | 'connection' | 'technician';
/** The relay's codes and the CLI's own: no connection, a device key that changed, an unreadable known-devices file. */
export type RefusalCode = ErrorCode | 'connect-failed' | 'key-changed' | 'known-devices-damaged';

export function outcomeOfCode(code: RefusalCode): RefusalOutcome {
  switch (code) {
    case 'forbidden':
    case 'bad-approval':
    case 'approval-used-up':
    case 'policy-blocked':
    case 'wrong-device':
    case 'documentation-required':
      return 'blocked';
    case 'expired':
      return 'expired';
    case 'agent-offline':
    case 'agent-clock-skew':
    case 'unknown-device':
      return 'offline';
    case 'unauthorized':
    case 'mfa-required':
      return 'unauthorized';
    default:
      return 'failed';
  }
}

export interface RefusalEvent {
  type: 'session.decision';
  outcome: RefusalOutcome;
  granted: Scope[];
  declined: Scope[];
  decidedBy: RefusedBy;
  code: RefusalCode;
  detail: string;
  /** The refused frame's id, when the relay named it. */
  re?: string;
}

export function refusalEvent(
  code: RefusalCode,
  detail: string,
  requested: readonly Scope[],
  by: RefusedBy,
  re?: string,
): RefusalEvent {
  return {
    type: 'session.decision',
    outcome: outcomeOfCode(code),
    granted: [],
    declined: sortScopes([...requested]),
    decidedBy: by,
    code,
    detail,
    ...(re !== undefined ? { re } : {}),
  };
}

/** The agent's decision with every key of the one shape present. */
export function decisionEvent(msg: Message<'session.decision'>): Record<string, unknown> {
  return { ...msg, code: msg.code ?? null, detail: msg.detail ?? null };
}
