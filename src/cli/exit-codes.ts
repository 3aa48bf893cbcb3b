// Exit codes of the `porchlight` command (stable: scripts depend on them).
export const EXIT = {
  ok: 0,
  other: 1,
  usage: 2,
  partial: 3,
  declined: 4,
  expired: 5,
  blocked: 6,
  agentOffline: 7,
  unauthorized: 8,
  agentLost: 9,
} as const;

/** What each exit code means, as README.md and docs/errors.md list them (a test compares). */
export const EXIT_MEANINGS: Record<(typeof EXIT)[keyof typeof EXIT], string> = {
  0: 'success (`request`: every requested scope was granted)',
  1: 'other failure: internal error, cannot connect, lost the relay during a session, a log or bundle that does not verify, a device signature that does not verify or a device key that changed without an audited re-key',
  2: 'usage: unknown command or flag, a missing or malformed value, an unreadable input file',
  3: 'partial: only some scopes granted (`audit verify`: only the last line is torn)',
  4: 'declined, or no user present (`audit verify`: the directory holds no audit files)',
  5: 'expired (`audit verify`: the directory does not exist or is not a directory)',
  6: 'blocked: local policy, group permission, the technician\'s unattended flag, a bad approval, an emergency ticket closed without what / why / result',
  7: 'agent offline: the device is not connected to the relay (or the relay refused it: `agent-clock-skew`)',
  8: 'unauthorized: the technician token is unknown, expired, disabled or malformed, or a one-time code is missing or wrong',
  9: 'agent lost: the device disconnected during the session (`session.end` by `agent-lost`)',
};
