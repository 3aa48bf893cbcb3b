// The console's device list in words: in a session with whom comes before plain "online"; a clock refusal
// before both; offline says when it was last seen.
import { describe, expect, it } from 'vitest';
import { agoInWords, statusInWords } from '../../src/relay/console/device-words.js';

const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

describe('device status in words', () => {
  it('names the technician and ticket of a live session, else online, offline or refused', () => {
    const session = { technicianName: 'Alice Moreau', ticketId: 'INC0012345' };
    expect(statusInWords({ deviceId: 'D', online: true, lastSeenAt: at(0), session })).toBe('in a session with Alice Moreau (INC0012345)');
    expect(statusInWords({ deviceId: 'D', online: true, lastSeenAt: at(0) })).toBe('online');
    expect(statusInWords({ deviceId: 'D', online: false, lastSeenAt: at(3 * 3_600_000) })).toBe('offline, last seen 3 h ago');
    expect(statusInWords({ deviceId: 'D', online: false, lastSeenAt: null })).toBe('offline, never seen');
    expect(statusInWords({ deviceId: 'D', online: true, lastSeenAt: at(0), clockSkewMs: 7 * 60_000, session })).toBe('refused: its clock is off by 7 min');
    expect(agoInWords(at(5 * 60_000))).toBe('5 min ago');
  });
});
