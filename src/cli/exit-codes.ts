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
} as const;
