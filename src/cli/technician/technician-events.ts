// What the technician reads: one plain line per relay event (`porchlight request`).
import type { Message } from '../../protocol/messages.js';
import { SCOPES } from '../../protocol/scopes.js';

export function describeEvent(msg: Message, requested: readonly string[]): string | null {
  switch (msg.type) {
    case 'session.pending':
      return `verification code: ${msg.verificationCode}  (read this to the user; they see the same code)\nwaiting for the user's decision until ${msg.expiresAt} ...`;
    case 'session.decision': {
      const lines = [`decision: ${msg.outcome} (${msg.decidedBy})${msg.detail ? `: ${msg.detail}` : ''}`];
      for (const scope of SCOPES.filter((s) => requested.includes(s))) {
        lines.push(`  ${scope.padEnd(13)} ${(msg.granted as readonly string[]).includes(scope) ? 'granted' : 'declined'}`);
      }
      return lines.join('\n');
    }
    case 'session.started':
      return `session ${msg.sessionId} started (${msg.mode}) with [${msg.scopes.join(', ')}] until ${msg.endsAt}`;
    case 'session.scope-update':
      return `scopes ${msg.change} [${msg.scopes.join(', ')}]; granted now [${msg.granted.join(', ')}] until ${msg.endsAt}`;
    case 'session.file-transfer-result':
      return `file ${msg.transferId}: ${msg.allowed ? 'allowed' : `refused${msg.code ? ` (${msg.code})` : ''}`}${msg.detail ? `: ${msg.detail}` : ''}`;
    case 'session.end':
      return `session ${msg.sessionId} ended by ${msg.by}${msg.reason ? `: ${msg.reason}` : ''}`;
    case 'session.summary': {
      const s = msg.summary;
      return `summary: ${s.durationSec} s, used [${s.scopesUsed.join(', ')}], ${s.files.length} file(s), ${s.narrationCount} narration(s)`;
    }
    case 'channel.opened':
      return `screen channel ${msg.channel} open`;
    case 'channel.close':
      return `screen channel ${msg.channel} closed${msg.code ? ` (${msg.code})` : ''}${msg.detail ? `: ${msg.detail}` : ''}`;
    case 'tech.closed':
      return `ticket ${msg.ticketId}: outcome recorded`;
    case 'error':
      return `error: ${msg.code}${msg.detail ? `: ${msg.detail}` : ''}`;
    default:
      return null;
  }
}
