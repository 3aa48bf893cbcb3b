// The manager approval for unattended access: signed by the IT approvals key
// (never the relay's), bound to this device, technician, ticket and scopes.
import { MAX_APPROVAL_LIFETIME_MS, type ApprovalToken } from '../../protocol/approval.js';
import type { Scope } from '../../protocol/scopes.js';
import { verifyApprovalTokenSignature } from '../../protocol/signed-messages.js';
import { reject, type Rejection } from './rejection.js';

export interface ApprovalBinding {
  deviceId: string;
  technicianId: string;
  ticketId: string;
  scopes: readonly Scope[];
  now: number;
}

export function checkApprovalToken(token: ApprovalToken, approvalsPublicKey: string | undefined, b: ApprovalBinding): Rejection | undefined {
  if (!approvalsPublicKey) return reject('bad-approval', 'no approvals key is configured, so no approval can be trusted', 'policy');
  if (!verifyApprovalTokenSignature(token, approvalsPublicKey)) return reject('bad-approval', 'the approval token is not signed by the pinned approvals key');
  const p = token.payload;
  if (p.deviceId !== b.deviceId) return reject('bad-approval', 'the approval is for another device');
  if (p.technicianId !== b.technicianId) return reject('bad-approval', 'the approval is for another technician');
  if (p.ticketId !== b.ticketId) return reject('bad-approval', 'the approval is for another ticket');
  if (!b.scopes.every((s) => p.scopes.includes(s))) return reject('bad-approval', 'the request asks for scopes the approval does not cover');
  if (Date.parse(p.expiresAt) <= b.now) return reject('bad-approval', 'the approval has expired');
  if (Date.parse(p.expiresAt) - Date.parse(p.issuedAt) > MAX_APPROVAL_LIFETIME_MS) return reject('bad-approval', `the approval is valid for longer than the maximum of ${MAX_APPROVAL_LIFETIME_MS / 3600_000} hours`);
  if (Date.parse(p.issuedAt) > b.now + 5 * 60_000) return reject('bad-approval', 'the approval was issued in the future');
  return undefined;
}
