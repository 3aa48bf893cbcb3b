// Turns a technician's tech.schedule into the payload the relay signs for the
// device (issue 20): the technician's group may ask for these scopes, the
// window starts now or later (not in the past, not more than a month ahead),
// ends after it starts and is no longer than the protocol carries. IT's own,
// usually shorter cap (policy maxAgreedWindowHours) is the agent's to apply.
import type { ErrorCode } from '../protocol/error-codes.js';
import { MAX_AGREED_WINDOW_MS, MAX_SCHEDULE_AHEAD_MS, SCHEDULE_PAST_SLACK_MS } from '../protocol/limits.js';
import type { Message, ScheduleRequestPayload } from '../protocol/messages.js';
import { checkScopes, technicianIdentity, type RequestRandomness } from './session-request-builder.js';
import type { TechnicianRecord } from './storage/storage.js';

export type ScheduleBuildResult = { ok: true; payload: ScheduleRequestPayload } | { ok: false; code: ErrorCode; detail: string };

/** Why a proposed window can't be asked for, in words; null when it can. */
export function windowProblem(startsAt: string, endsAt: string, nowMs: number): string | null {
  const start = Date.parse(startsAt);
  const end = Date.parse(endsAt);
  if (start < nowMs - SCHEDULE_PAST_SLACK_MS) return `the window starts at ${startsAt}, which is in the past`;
  if (start > nowMs + MAX_SCHEDULE_AHEAD_MS) return `the window starts at ${startsAt}, more than 31 days ahead`;
  if (end <= start) return 'the window ends before it starts';
  if (end - start > MAX_AGREED_WINDOW_MS) return `the window is ${Math.round((end - start) / 360_000) / 10} h long; at most 24 h can be agreed in advance`;
  return null;
}

export function buildScheduleRequest(
  req: Message<'tech.schedule'>,
  tech: TechnicianRecord,
  nowMs: number,
  lifetimeMs: number,
  random: RequestRandomness,
): ScheduleBuildResult {
  const scopes = checkScopes(tech, req.scopes);
  if (!scopes.ok) return scopes;
  const problem = windowProblem(req.startsAt, req.endsAt, nowMs);
  if (problem) return { ok: false, code: 'bad-frame', detail: problem };
  return {
    ok: true,
    payload: {
      requestId: random.id().replace(/^req-/, 'sch-'),
      deviceId: req.deviceId,
      technician: technicianIdentity(tech),
      ticket: req.ticket,
      reason: req.reason,
      scopes: req.scopes,
      startsAt: req.startsAt,
      endsAt: req.endsAt,
      verificationCode: random.code(),
      nonce: random.nonce(),
      issuedAt: new Date(nowMs).toISOString(),
      expiresAt: new Date(nowMs + lifetimeMs).toISOString(),
    },
  };
}
