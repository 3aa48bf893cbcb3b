// What a decision's outcome and a device key's trust mean, in words.

export const OUTCOME_WORDS = {
  accepted: 'The user allowed everything you asked for',
  partial: 'The user allowed part of what you asked for',
  declined: 'The user declined',
  expired: 'Nobody answered in time',
  blocked: 'Blocked before the user saw it',
  'no-user-present': 'Nobody is signed in at the device',
} as const;

export const TRUST_WORDS = { 'first-use': 'first use: remembered', known: 'known', rekeyed: 're-keyed by an admin, audited' } as const;
