// File-transfer rules from policy: size, blocked extensions, ticket.
import type { ErrorCode } from '../../protocol/error-codes.js';
import type { Message } from '../../protocol/messages.js';
import type { Policy } from './schema.js';

export function fileExtension(name: string): string {
  // Windows ignores trailing dots and spaces: `tool.exe. ` runs as tool.exe.
  const trimmed = name.replace(/[. ]+$/, '').toLowerCase();
  const dot = trimmed.lastIndexOf('.');
  return dot > 0 ? trimmed.slice(dot) : '';
}

export function checkFileTransfer(
  t: Message<'session.file-transfer'>,
  rules: Policy['fileTransfer'],
  sessionTicketId: string,
): { allowed: true } | { allowed: false; code: ErrorCode; detail: string } {
  if (t.size > rules.maxBytes) return { allowed: false, code: 'policy-blocked', detail: `file is larger than ${rules.maxBytes} bytes` };
  const ext = fileExtension(t.name);
  if (ext && rules.blockedExtensions.includes(ext)) return { allowed: false, code: 'policy-blocked', detail: `extension ${ext} is blocked` };
  if (rules.requireTicket && t.ticketId !== sessionTicketId) return { allowed: false, code: 'policy-blocked', detail: 'the transfer must name the session ticket' };
  return { allowed: true };
}
