// The manager approval for an unattended request: pasted or dropped as the
// token file IT's `approve` wrote, read with the agent's own schema
// (approvalTokenSchema), and shown before sending (approver, reference, expiry, uses,
// device, ticket, access) so the technician sees what the approval covers. The
// console cannot check the signature (it has no approvals key): the agent does.
import { approvalTokenSchema, approvalUses, type ApprovalToken } from '../../protocol/approval.js';
import { SCOPE_LABELS } from './scope-labels.js';

/** An approval file is a few hundred bytes; anything much larger is not one. */
const MAX_APPROVAL_FILE_BYTES = 16 * 1024;

export type ApprovalRead = { ok: true; token: ApprovalToken } | { ok: false; words: string };

export function readApprovalText(text: string): ApprovalRead {
  if (text.trim() === '') return { ok: false, words: 'Paste the approval token, or drop the approval file here.' };
  if (text.length > MAX_APPROVAL_FILE_BYTES) return { ok: false, words: 'That is not an approval token: it is far too large.' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, words: 'That is not an approval token: it is not the JSON file the approver sent.' };
  }
  const parsed = approvalTokenSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, words: 'That is not a valid approval token: a field is missing or malformed. Ask the approver to send the file again.' };
  return { ok: true, token: parsed.data };
}

export async function readApprovalFile(file: File): Promise<ApprovalRead> {
  if (file.size > MAX_APPROVAL_FILE_BYTES) return { ok: false, words: 'That is not an approval token: the file is far too large.' };
  return readApprovalText(await file.text());
}

/** What the approval says, as definition-list rows, plus warnings that it will not fit this request. */
export function describeApproval(token: ApprovalToken, request: { deviceId: string; ticketId: string; scopes: readonly string[] }, now: number): { rows: Array<[string, string]>; warnings: string[] } {
  const p = token.payload;
  const expires = Date.parse(p.expiresAt);
  const left = expires - now;
  const rows: Array<[string, string]> = [
    ['Approved by', p.approver],
    ['Reference', p.reference],
    ['Expires', `${new Date(expires).toLocaleString()} (${left <= 0 ? 'expired' : `in ${Math.max(1, Math.round(left / 60_000))} min`})`],
    // approve --uses N: the relay and the device each count; the console cannot know how many are left.
    ['Sessions it allows', approvalUses(p) === 1 ? '1 session' : `${approvalUses(p)} sessions`],
    ['Device', p.deviceId],
    ['Ticket', p.ticketId],
    ['Access', p.scopes.map((s) => SCOPE_LABELS[s]).join(', ')],
    ['Technician', p.technicianId],
  ];
  const warnings: string[] = [];
  if (left <= 0) warnings.push('This approval has expired: the device will refuse it. Ask the approver for a new one.');
  if (request.deviceId !== '' && request.deviceId !== p.deviceId) warnings.push(`This approval is for device ${p.deviceId}, not ${request.deviceId}.`);
  if (request.ticketId !== '' && request.ticketId !== p.ticketId) warnings.push(`This approval is for ticket ${p.ticketId}, not ${request.ticketId}.`);
  const uncovered = request.scopes.filter((s) => !(p.scopes as readonly string[]).includes(s));
  if (uncovered.length > 0) warnings.push(`This approval does not cover: ${uncovered.map((s) => SCOPE_LABELS[s as keyof typeof SCOPE_LABELS] ?? s).join(', ')}.`);
  return { rows, warnings };
}
