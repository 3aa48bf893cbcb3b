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

/**
 * Windows the user agrees to in advance (issue 20): the longest one the protocol carries (IT's policy
 * `maxAgreedWindowHours` is usually shorter) and how far ahead one may start.
 */
export const MAX_AGREED_WINDOW_MS = 24 * 60 * 60 * 1000;
export const MAX_SCHEDULE_AHEAD_MS = 31 * 24 * 60 * 60 * 1000;
/** A proposed start this little in the past still counts as "now" (the technician's clock may be off). */
export const SCHEDULE_PAST_SLACK_MS = 2 * 60 * 1000;
