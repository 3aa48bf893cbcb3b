// Size limits shared by agent, relay and technician tools.

/** Frames over this many UTF-8 bytes are rejected before JSON parsing. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Requests may not be issued further in the future than this (clock skew allowance). */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

/** Longest validity window a signed request may claim. */
export const MAX_REQUEST_LIFETIME_MS = 15 * 60 * 1000;

export const PROTOCOL_VERSION = 1;

/**
 * The user's messages from the banner (issue 20): at most `max` in any `windowMs`.
 * The agent refuses (and records) what is over; the relay's per-connection frame
 * limit, the one narration has, stands behind it.
 */
export const USER_MESSAGE_RATE = { max: 5, windowMs: 30_000 } as const;
