// One human-readable line per central audit record (`relay audit --format text`).
import type { AuditRecord, TechnicianView } from './audit-record.js';
import { terminalText } from '../../protocol/text-policy.js';

function describe(r: AuditRecord): string {
  switch (r.kind) {
    case 'request': {
      const d = r.data;
      const contact = d.contact ? `; user reached by ${d.contact.channel} at ${d.contact.at}${d.contact.note ? ` (${d.contact.note})` : ''}` : '';
      return `request ${d.mode} [${d.scopes.join(', ')}] by ${d.technician.name} (${d.technician.id}/${d.technician.group}): ${d.reason.replace(/\s+/g, ' ')}${contact}`;
    }
    case 'rejected':
      return `rejected ${r.data.action}: ${r.data.code}${r.data.detail ? ` (${r.data.detail})` : ''}`;
    case 'cancel':
      return 'request cancelled by the technician';
    case 'decision':
      return `decision ${r.data.outcome} by ${r.data.decidedBy}: granted [${r.data.granted.join(', ')}] declined [${r.data.declined.join(', ')}]`;
    case 'session-started':
      return `session started [${r.data.scopes.join(', ')}] until ${r.data.endsAt}`;
    case 'narration':
      return `narration: ${r.data.text.replace(/\s+/g, ' ')}`;
    case 'resolution':
      return `user's answer: ${r.data.solved ? 'solved' : 'not yet solved'}${r.data.rating !== undefined ? `, rated ${r.data.rating}/5` : ''}${r.data.comment ? `: ${r.data.comment.replace(/\s+/g, ' ')}` : ''}`;
    case 'user-message':
      return `user: ${r.data.text.replace(/\s+/g, ' ')}`;
    case 'note':
      return `technician note: ${r.data.text.replace(/\s+/g, ' ')}`;
    case 'scope-request':
      return `scope request [${r.data.scopes.join(', ')}]${r.data.extendMinutes ? ` +${r.data.extendMinutes} min` : ''}: ${r.data.reason.replace(/\s+/g, ' ')}`;
    case 'scope-update':
      return `scope ${r.data.change} [${r.data.scopes.join(', ')}] -> granted [${r.data.granted.join(', ')}]`;
    case 'file-transfer':
      return `file ${r.data.direction} ${r.data.name} (${r.data.size} bytes, sha256 ${r.data.sha256})`;
    case 'file-transfer-result':
      return `file ${r.data.transferId} ${r.data.allowed ? 'allowed' : `refused${r.data.code ? ` (${r.data.code})` : ''}`}`;
    case 'session-end':
      return `session ended by ${r.data.by}${r.data.reason ? `: ${r.data.reason}` : ''}`;
    case 'session-summary':
      return `summary: ${r.data.summary.durationSec} s, used [${r.data.summary.scopesUsed.join(', ')}], ${r.data.summary.files.length} file(s)`;
    case 'disconnect':
      return `${r.data.role} disconnected (${r.data.reason}): ${r.data.bufferedBytes} bytes unsent, over the ${r.data.limitBytes}-byte cap; close code ${r.data.closeCode}`;
    case 'agent-refused':
      return `device refused at hello (${r.data.reason}): its clock is ${r.data.offsetMs} ms off the relay's (limit ${r.data.limitMs} ms)`;
    case 'device-rekey-authorized':
      return `re-key of the device authorized by ${r.data.by} (current key ${r.data.keyFingerprint}) until ${r.data.expiresAt}`;
    case 'device-rekeyed':
      return `device re-keyed ${r.data.from} -> ${r.data.to}${r.data.droppedConnection ? '; the old key\'s connection was dropped' : ''}`;
    case 'channel-open':
      return `${r.data.kind} channel ${r.data.channel} opened`;
    case 'channel-close':
      return `channel ${r.data.channel} closed by ${r.data.by}${r.data.code ? ` (${r.data.code})` : ''}${r.data.detail ? `: ${r.data.detail}` : ''}`;
    case 'technician-sign-in':
      return `technician signed in${r.data.mfa ? ' with a second factor' : ''}${r.data.address ? ` from ${r.data.address}` : ''}`;
    case 'technician-sign-in-failed':
      return `sign-in refused (${r.data.reason})${r.data.address ? ` from ${r.data.address}` : ''}${r.data.retryInSec !== undefined ? `, locked ${r.data.retryInSec} s` : ''}`;
    case 'technician-sign-out':
      return 'technician signed out';
    case 'admin':
      return `admin ${r.data.action} ${r.data.target} by ${r.data.by}${r.data.as ? ` as ${r.data.as}` : ''}${adminChange(r.data.before, r.data.after)}${r.data.detail ? `: ${r.data.detail}` : ''}`;
    case 'schedule-request':
      return `window proposed ${r.data.startsAt} to ${r.data.endsAt} [${r.data.scopes.join(', ')}] by ${r.data.technician.name} (${r.data.technician.id}/${r.data.technician.group}): ${r.data.reason.replace(/\s+/g, ' ')}`;
    case 'schedule-decision': {
      const w = r.data.agreed?.window;
      return `window ${r.data.outcome} by ${r.data.decidedBy}${w ? `: ${w.windowId} ${w.startsAt} to ${w.endsAt} [${w.scopes.join(', ')}]` : ''}${r.data.detail ? ` (${r.data.detail})` : ''}`;
    }
    case 'window-revoked':
      return `window ${r.data.windowId} cancelled by the user at ${r.data.revokedAt}`;
    case 'close':
      return `ticket closed: ${r.data.outcome}${r.data.note ? ` (${r.data.note.replace(/\s+/g, ' ')})` : ''}${r.data.documentation ? ', documented' : ''}`;
  }
}

/** The fields an admin change altered, as `field: before -> after`. */
export function adminChange(before?: TechnicianView, after?: TechnicianView): string {
  if (!before || !after) return '';
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])] as Array<keyof TechnicianView>;
  const changed = fields.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
  return changed.length === 0 ? '' : ` (${changed.map((f) => `${f}: ${JSON.stringify(before[f] ?? null)} -> ${JSON.stringify(after[f] ?? null)}`).join(', ')})`;
}

/** The line, in the text policy's terminal form: stored records may predate the policy or come from a changed database. */
export function auditLine(r: AuditRecord): string {
  return terminalText(rawLine(r));
}

function rawLine(r: AuditRecord): string {
  const who = [r.technicianId && `tech=${r.technicianId}`, r.deviceId && `device=${r.deviceId}`, r.sessionId && `session=${r.sessionId}`].filter(Boolean).join(' ');
  const anchor = (r.data as { agentAudit?: { seq: number; hash: string } }).agentAudit;
  return `${r.at}  #${r.seq}  ${r.ticketId ?? '-'}  ${who}  ${describe(r)}${anchor ? `  [agent audit #${anchor.seq} ${anchor.hash.slice(0, 12)}]` : ''}`;
}
