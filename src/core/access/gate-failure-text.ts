// What the user reads when a gate could not open or close access. Fixed words
// plus the technician's name, ticket and scope names; never a hook's output.
import type { Scope } from '../../protocol/scopes.js';
import type { GateSession } from './access-gate.js';

const SCOPE_WORDS: Record<Scope, string> = {
  view: 'see your screen',
  control: 'control your mouse and keyboard',
  admin: 'administrator access',
  'file-transfer': 'file transfer',
};

export function gateFailureText(
  s: Pick<GateSession, 'technicianName' | 'ticketId'>,
  action: 'grant' | 'revoke',
  scopes: readonly Scope[],
): { title: string; body: string } {
  const what = scopes.map((x) => SCOPE_WORDS[x]).join(', ');
  if (action === 'grant') {
    return {
      title: 'Access could not be opened',
      body:
        `You allowed ${what} for ${s.technicianName} (ticket ${s.ticketId}), but it could not be set up on this ` +
        'computer, so it was not granted. Your IT department has been told in the audit log.',
    };
  }
  return {
    title: 'Access may still be open',
    body:
      `Porchlight could not fully close ${what} for ${s.technicianName} (ticket ${s.ticketId}). ` +
      'It will try again when it next starts. Contact your IT department if this persists.',
  };
}
