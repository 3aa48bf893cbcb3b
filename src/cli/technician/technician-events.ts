// What the technician reads: one plain line per relay event (`porchlight request`).
// Every value from the relay or the device goes through the text policy's
// terminal form (t), so none can send escape sequences or reorder the line.
import type { Message } from '../../protocol/messages.js';
import { SCOPES } from '../../protocol/scopes.js';
import { terminalText } from '../../protocol/text-policy.js';

const t = (value: unknown): string => terminalText(String(value));
const list = (values: readonly unknown[]): string => values.map(t).join(', ');

export function describeEvent(msg: Message, requested: readonly string[]): string | null {
  switch (msg.type) {
    case 'session.pending':
      return `verification code: ${t(msg.verificationCode)}  (read this to the user; they see the same code)\nwaiting for the user's decision until ${t(msg.expiresAt)} ...`;
    case 'session.decision': {
      const lines = [`decision: ${t(msg.outcome)} (${t(msg.decidedBy)})${msg.detail ? `: ${t(msg.detail)}` : ''}`];
      for (const scope of SCOPES.filter((s) => requested.includes(s))) {
        lines.push(`  ${t(scope).padEnd(13)} ${(msg.granted as readonly string[]).includes(scope) ? 'granted' : 'declined'}`);
      }
      return lines.join('\n');
    }
    case 'schedule.decision':
      // An agreed window gets its own line (schedule-request.ts); this says how the user answered.
      return `window ${t(msg.outcome)} (${t(msg.decidedBy)})${msg.detail ? `: ${t(msg.detail)}` : ''}`;
    case 'schedule.revoked':
      return `the user cancelled window ${t(msg.revocation.windowId)} at ${t(msg.revocation.revokedAt)}`;
    case 'session.started':
      return `session ${t(msg.sessionId)} started (${t(msg.mode)}) with [${list(msg.scopes)}] until ${t(msg.endsAt)}`;
    case 'session.user-message':
      // The user's own words, each line through the terminal policy, continuation lines indented under the first.
      return `user: ${msg.text.split('\n').map(t).join('\n      ')}${msg.quick ? '  (quick question)' : ''}`;
    case 'session.resolution': {
      const rating = msg.rating !== undefined ? `, rated ${msg.rating}/5` : '';
      const comment = msg.comment ? `: ${msg.comment.split('\n').map(t).join('\n      ')}` : '';
      return msg.solved ? `user: problem solved${rating}${comment}` : `user: NOT YET SOLVED, follow up${rating}${comment}`;
    }
    case 'session.scope-update':
      return `scopes ${t(msg.change)} [${list(msg.scopes)}]; granted now [${list(msg.granted)}] until ${t(msg.endsAt)}`;
    case 'session.file-transfer-result':
      return `file ${t(msg.transferId)}: ${msg.allowed ? 'allowed' : `refused${msg.code ? ` (${t(msg.code)})` : ''}`}${msg.detail ? `: ${t(msg.detail)}` : ''}`;
    case 'session.end':
      return `session ${t(msg.sessionId)} ended by ${t(msg.by)}${msg.reason ? `: ${t(msg.reason)}` : ''}`;
    case 'session.summary': {
      const s = msg.summary;
      return `summary: ${t(s.durationSec)} s, used [${list(s.scopesUsed)}], ${s.files.length} file(s), ${s.narrationCount} narration(s)`;
    }
    case 'channel.opened':
      return `screen channel ${t(msg.channel)} open`;
    case 'channel.close':
      return `screen channel ${t(msg.channel)} closed${msg.code ? ` (${t(msg.code)})` : ''}${msg.detail ? `: ${t(msg.detail)}` : ''}`;
    case 'tech.closed':
      return `ticket ${t(msg.ticketId)}: outcome recorded`;
    case 'error':
      return `error: ${t(msg.code)}${msg.detail ? `: ${t(msg.detail)}` : ''}`;
    default:
      return null;
  }
}
