// Stable error codes: part of the wire contract (never renamed, only added).
// Each has a one-line meaning, shown by `porchlight --help errors` and in docs/errors.md.

export const ERROR_MEANINGS = {
  'bad-frame': 'The frame is not valid JSON or does not match the message schema.',
  'unknown-type': 'The message type is not part of protocol v1.',
  'unexpected-type': 'The message type is valid but not accepted from this peer or in this state.',
  'bad-version': 'The message carries a protocol version other than 1.',
  'too-large': 'The frame exceeds 64 KiB and was rejected before parsing.',
  'bad-signature': 'A signature did not verify against the pinned key.',
  'replayed': 'The nonce was seen before; the request is a replay.',
  'expired': 'The request, token or session is past its expiry (a session past its granted time).',
  'not-yet-valid': 'The request was issued too far in the future (clock skew over 5 minutes).',
  'wrong-device': 'The request or token is bound to another device.',
  'bad-approval': 'An unattended request lacks a valid approval token or emergency justification.',
  'policy-blocked': 'The local policy does not allow this request (scope, mode, group or file rule).',
  'agent-offline': 'The target device is not connected to the relay.',
  'agent-clock-skew': 'The target device tried to connect but the relay refused it: its clock is off by more than 5 minutes.',
  'unauthorized': 'The peer did not authenticate (bad or missing token, unknown device key).',
  'forbidden': 'The authenticated peer may not do this (group permission, other technician\'s session).',
  'rate-limited': 'Too many messages or requests; slow down.',
  'queue-full': 'The consent queue is full; the request was declined.',
  'unknown-session': 'No live session or pending request has that id.',
  'audit-unavailable': 'The audit log could not be written durably; nothing was granted.',
  'internal': 'An unexpected internal error; the peer keeps running.',
  'unknown-device': 'No device is enrolled with that id.',
  'busy': 'The relay is at a capacity limit (its hello nonce store is full, or it holds its maximum of agents); try again later.',
  'gate-failed': 'An access gate set by IT policy could not apply a grant, so that scope was not granted.',
  'screen-unavailable': 'The agent has no screen server configured by policy, or could not reach it.',
  'transfer-failed': 'A file transfer did not complete (size or sha256 mismatch, disk full, aborted); nothing partial was kept.',
  'mfa-required': 'The relay needs a second factor (a one-time code) for this sign-in or request.',
  'channel-violation': 'A data channel broke its rules (bad binary frame, credit overrun, malformed RFB); it was closed.',
  'documentation-required': 'The ticket had an emergency session: closing it needs what was done, why and the result (--what, --why, --result).',
  'approval-not-used': 'A user at the device declined a request backed by a manager approval; an approval never overrides a present user, so it was not used.',
  'approval-used-up': 'The manager approval has already started as many sessions as it allows (approve --uses N); ask the approver for a new one.',
} as const;

export type ErrorCode = keyof typeof ERROR_MEANINGS;

export const ERROR_CODES = Object.keys(ERROR_MEANINGS) as readonly ErrorCode[];
