import { describe, expect, it } from 'vitest';
import { escalationWhileControlledFor } from '../../src/main/escalation-mode.js';

describe('escalationWhileControlledFor', () => {
  it('asks for the code only where the dialog can be hidden from the remote viewer', () => {
    expect(escalationWhileControlledFor('win32')).toBe('confirm-code');
    expect(escalationWhileControlledFor('darwin')).toBe('confirm-code');
    // No content protection: the code would be on the technician's screen.
    expect(escalationWhileControlledFor('linux')).toBe('decline');
    expect(escalationWhileControlledFor('freebsd')).toBe('decline');
  });
});
