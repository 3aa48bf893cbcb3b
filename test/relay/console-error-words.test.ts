// The console says every error code in words (issue 21): none is left out,
// none shows the code itself as the message, and the device is named.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/protocol/error-codes.js';
import { errorInWords } from '../../src/relay/console/error-words.js';

describe('console error words', () => {
  it('has a sentence for every code in docs/errors.md that is not the code itself', () => {
    for (const code of ERROR_CODES) {
      const words = errorInWords(code, { deviceId: 'LAPTOP-0042', group: 'desk2' });
      expect(words, code).toMatch(/^[A-Z].*\.$/);
      // A hyphenated code is developer text; one-word codes (expired, busy) are ordinary words.
      if (code.includes('-')) expect(words, code).not.toContain(code);
    }
  });

  it('names the device and the group, and says when the device was last seen', () => {
    expect(errorInWords('agent-offline', { deviceId: 'LAPTOP-0042', lastSeen: '3 h ago' })).toBe('Device LAPTOP-0042 is offline (last seen 3 h ago). Ask the user to turn it on and connect it to the network, then try again.');
    expect(errorInWords('forbidden', { group: 'desk2' })).toBe('Your group (desk2) may not do this. Ask IT if you need that access.');
    expect(errorInWords('agent-clock-skew', { deviceId: 'PC-7' })).toContain('Device PC-7 tried to connect but was refused: its clock is off by more than 5 minutes.');
    expect(errorInWords('rate-limited')).toBe('Too many attempts in a short time. Wait a minute, then try again.');
    // At sign-in, rate-limited is the lockout after repeated failures.
    expect(errorInWords('rate-limited', { signingIn: true })).toMatch(/^Signing in is locked for now after too many failed tries/);
    expect(errorInWords('bad-approval')).toContain('Ask the approver for a new one.');
  });
});
