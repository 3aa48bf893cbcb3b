// `porchlight request --at WHEN --window LENGTH` (issue 20): when the
// technician proposes to connect, checked here in words before anything is
// sent (the relay and the device check again; the device applies IT's cap).
import { MAX_AGREED_WINDOW_MS, MAX_SCHEDULE_AHEAD_MS, SCHEDULE_PAST_SLACK_MS } from '../protocol/limits.js';
import { UsageError } from './command.js';

export const SCHEDULE_OPTIONS = {
  at: { type: 'string' },
  window: { type: 'string' },
  ics: { type: 'string' },
} as const;

/** 2h, 90m, 1h30m: the window's length in ms; undefined when it is not one of those. */
export function parseWindowLength(text: string): number | undefined {
  const m = /^(?:(\d{1,2})h)?(?:(\d{1,4})m)?$/.exec(text.trim());
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  return (Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60_000;
}

/** `2026-12-04T18:00` (the technician's local time) or with Z / an offset. */
function parseAt(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/:00\.000Z$/, 'Z');

/** The proposed window, or undefined without --at; every problem a usage error that says what is wrong. */
export function parseScheduleFlags(values: Record<string, string | boolean | undefined>, now = Date.now()): { startsAt: string; endsAt: string } | undefined {
  const { at, window } = values;
  if (at === undefined) {
    if (window !== undefined || values.ics !== undefined) throw new UsageError('--window and --ics go with --at (the time you propose to connect)');
    return undefined;
  }
  if (typeof at !== 'string' || typeof window !== 'string') throw new UsageError('--at needs --window LENGTH (e.g. 2h, 90m, 1h30m)');
  for (const flag of ['unattended', 'emergency', 'interactive', 'send', 'screen-port', 'outcome', 'close-outcome', 'timeout'] as const) {
    if (values[flag] !== undefined && values[flag] !== false) throw new UsageError(`--${flag} does not go with --at: a proposed window only asks the user to agree`);
  }
  const start = parseAt(at);
  if (start === undefined) throw new UsageError(`--at ${at} is not a time: write it as 2026-12-04T18:00 (your local time) or with Z for UTC`);
  const length = parseWindowLength(window);
  if (length === undefined || length <= 0) throw new UsageError(`--window ${window} is not a length: write it as 2h, 90m or 1h30m`);
  if (start < now - SCHEDULE_PAST_SLACK_MS) throw new UsageError(`--at ${at} is in the past (it is now ${stamp(now)}): propose a time from now on`);
  if (start > now + MAX_SCHEDULE_AHEAD_MS) throw new UsageError(`--at ${at} is more than 31 days ahead`);
  if (length > MAX_AGREED_WINDOW_MS) throw new UsageError(`--window ${window} is too long: at most 24h can be agreed in advance (the device's policy may allow less)`);
  return { startsAt: new Date(start).toISOString(), endsAt: new Date(start + length).toISOString() };
}
