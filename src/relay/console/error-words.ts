// What each error code means to a technician at a help desk, in words, with
// what to do next. The code and the relay's own detail stay available as a
// small technical line (for a ticket or IT), never as the message itself.
import type { ErrorCode } from '../../protocol/error-codes.js';

export interface ErrorContext {
  deviceId?: string;
  group?: string;
  /** "3 h ago", when the device list knows. */
  lastSeen?: string;
  /** The error answers a sign-in (no welcome yet). */
  signingIn?: boolean;
}

const device = (c: ErrorContext) => (c.deviceId ? `Device ${c.deviceId}` : 'The device');

const WORDS: Record<ErrorCode, (c: ErrorContext) => string> = {
  'bad-frame': () => 'The relay could not read what this page sent. Reload the page and try again.',
  'unknown-type': () => 'This page and the relay speak different versions. Reload the page.',
  'unexpected-type': () => 'The relay did not expect that right now. Reload the page and try again.',
  'bad-version': () => 'This page and the relay speak different protocol versions. Reload the page.',
  'too-large': () => 'The request is too large to send. Shorten the reason and try again.',
  'bad-signature': () => 'A signature did not check out, so nothing was done. Tell IT.',
  'replayed': () => 'The relay saw this request before and refused it as a replay. Send a new request.',
  'expired': () => 'The request, its approval or your sign-in has expired. Send a new request or sign in again.',
  'not-yet-valid': () => 'The clocks disagree by more than 5 minutes, so the request was refused. Check this computer\'s clock.',
  'wrong-device': (c) => `The request or approval is for a different device than ${c.deviceId ?? 'this one'}.`,
  'bad-approval': () => 'The approval is missing, expired, used up or not for this device, technician or access. Ask the approver for a new one.',
  'policy-blocked': (c) => `${device(c)}'s IT policy does not allow this request (access, mode, group or file rule).`,
  'agent-offline': (c) => `${device(c)} is offline${c.lastSeen ? ` (last seen ${c.lastSeen})` : ''}. Ask the user to turn it on and connect it to the network, then try again.`,
  'agent-clock-skew': (c) => `${device(c)} tried to connect but was refused: its clock is off by more than 5 minutes. Ask the user to correct the date and time.`,
  'unauthorized': () => 'Sign-in failed: the token is wrong, expired or disabled, or the one-time code is wrong.',
  'forbidden': (c) => `Your group${c.group ? ` (${c.group})` : ''} may not do this. Ask IT if you need that access.`,
  'rate-limited': (c) =>
    c.signingIn
      ? 'Signing in is locked for now after too many failed tries (from a minute, longer after each lockout). Check the token with IT, then try again later.'
      : 'Too many attempts in a short time. Wait a minute, then try again.',
  'queue-full': (c) => `${device(c)} has too many requests waiting for the user. Try again in a few minutes.`,
  'unknown-session': () => 'That request or session has already ended.',
  'audit-unavailable': () => 'The relay could not write its audit log, so nothing was granted. Tell IT.',
  'internal': () => 'Something went wrong on the relay. Try again; if it keeps happening, tell IT.',
  'unknown-device': (c) => `No device called ${c.deviceId ?? 'that'} is enrolled. Check the device id.`,
  'busy': () => 'The relay is at capacity right now. Try again in a minute.',
  'gate-failed': () => 'An access gate set by IT could not apply a grant, so that access was not granted.',
  'documentation-required': () => 'This ticket had an emergency session: close it with what you did, why, and the result (session close --what --why --result).',
  'screen-unavailable': (c) => `${device(c)} cannot share its screen: no screen server is set up, or it could not be reached.`,
  'transfer-failed': () => 'The file transfer did not complete; nothing partial was kept. Try again.',
  'mfa-required': () => 'Enter the one-time code from your authenticator app: this relay requires one.',
  'channel-violation': () => 'A data channel broke its rules and was closed. Try again; if it keeps happening, tell IT.',
  'approval-not-used': () => 'Declined by the user (approval not used): someone at the device said no, and a manager approval never overrides them.',
  'approval-used-up': () => 'This approval has already been used as many times as it allows. Ask the approver for a new one.',
};

export function errorInWords(code: ErrorCode, context: ErrorContext = {}): string {
  return WORDS[code](context);
}
