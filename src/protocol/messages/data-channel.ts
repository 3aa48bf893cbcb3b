// Wire protocol v1 (messages.ts): opening and closing a session's data channel
// (the bytes themselves are binary frames, channel-frame.ts).
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../error-codes.js';
import { identifier, lineText } from '../primitives.js';
import { header } from './header.js';

// ---- data channel (screen) ---------------------------------------------------------

export const CHANNEL_KINDS = ['screen', 'file'] as const;

/**
 * Technician -> relay -> agent: open the session's screen channel (a new
 * `channel` number per viewer connection). The technician names no endpoint:
 * the agent connects only to the VNC server its policy names.
 */
export const channelOpenSchema = z
  .strictObject({
    ...header('channel.open'),
    sessionId: identifier,
    channel: z.number().int().min(1).max(0xffffffff),
    kind: z.enum(CHANNEL_KINDS),
    /** kind `file`: the announced (and allowed) transfer whose bytes follow. */
    transferId: identifier.optional(),
  })
  .refine((m) => (m.kind === 'file') === (m.transferId !== undefined), { message: 'transferId goes with kind file, and only with it' });

/** Agent -> relay -> technician: the channel is open; binary frames may flow both ways. */
export const channelOpenedSchema = z.strictObject({
  ...header('channel.opened'),
  sessionId: identifier,
  channel: z.number().int().min(1).max(0xffffffff),
});

/** Any direction: the channel is closed (or refused); no more frames for it. */
export const channelCloseSchema = z.strictObject({
  ...header('channel.close'),
  sessionId: identifier,
  channel: z.number().int().min(1).max(0xffffffff),
  code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]).optional(),
  detail: lineText(300).optional(),
});

