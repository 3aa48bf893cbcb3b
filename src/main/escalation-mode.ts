// Whether an escalation may be asked for while the technician controls the
// computer. The confirmation code only helps if the remote viewer can't read
// it: content protection (setContentProtection) works on Windows and macOS
// (partly: ScreenCaptureKit capture may ignore it) and does nothing on Linux.
import type { EscalationWhileControlled } from '../core/agent-core.js';

export function escalationWhileControlledFor(platform: NodeJS.Platform): EscalationWhileControlled {
  return platform === 'win32' || platform === 'darwin' ? 'confirm-code' : 'decline';
}
