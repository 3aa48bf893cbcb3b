// Turns a technician's tech.request into the payload the relay signs: checks
// the technician's group permissions and the approval's binding first, then
// stamps the verified identity, a verification code, a nonce and an expiry.
import { randomBytes, randomInt } from 'node:crypto';
import type { ApprovalToken } from '../protocol/approval.js';
import type { ErrorCode } from '../protocol/error-codes.js';
import type { Message, SessionRequestPayload, Technician } from '../protocol/messages.js';
import { verifyApprovalTokenSignature } from '../protocol/signed-messages.js';
import type { SessionMode } from './audit/audit-record.js';
import type { TechnicianRecord } from './storage/storage.js';

export interface RequestRandomness {
  code(): string;
  nonce(): string;
  id(): string;
}

export const cryptoRandomness: RequestRandomness = {
  code: () => String(randomInt(0, 1_000_000)).padStart(6, '0'),
  nonce: () => randomBytes(18).toString('base64url'),
  id: () => `req-${randomBytes(12).toString('base64url')}`,
};

/** How far ahead of the relay's clock a stated contact time may be (the technician's clock may be off). */
const CONTACT_FUTURE_SLACK_MS = 5 * 60_000;

export type BuildResult = { ok: true; payload: SessionRequestPayload; mode: SessionMode } | { ok: false; code: ErrorCode; detail: string };

export function technicianIdentity(tech: TechnicianRecord): Technician {
  return tech.org === undefined ? { id: tech.id, name: tech.name, group: tech.group } : { id: tech.id, name: tech.name, group: tech.group, org: tech.org };
}

export function checkScopes(tech: TechnicianRecord, scopes: readonly string[]): { ok: true } | { ok: false; code: ErrorCode; detail: string } {
  const refused = scopes.filter((s) => !(tech.scopes as readonly string[]).includes(s));
  return refused.length === 0 ? { ok: true } : { ok: false, code: 'forbidden', detail: `group ${tech.group} may not request ${refused.join(', ')}` };
}

/**
 * The relay never holds the approvals private key, so it can't forge a token;
 * it still refuses tokens that are plainly for someone else or stale, and
 * checks the signature when IT pinned the approvals public key on the relay.
 */
export function checkApprovalToken(token: ApprovalToken, req: Message<'tech.request'>, tech: TechnicianRecord, nowMs: number, approvalsPublicKey?: string): string | null {
  const p = token.payload;
  if (p.deviceId !== req.deviceId) return 'approval is for another device';
  if (p.technicianId !== tech.id) return 'approval is for another technician';
  if (p.ticketId !== req.ticket.id) return 'approval is for another ticket';
  if (!req.scopes.every((s) => (p.scopes as readonly string[]).includes(s))) return 'approval does not cover every requested scope';
  if (Date.parse(p.expiresAt) <= nowMs) return 'approval has expired';
  if (approvalsPublicKey !== undefined && !verifyApprovalTokenSignature(token, approvalsPublicKey)) return 'approval is not signed by the pinned approvals key';
  return null;
}

export function buildSessionRequest(
  req: Message<'tech.request'>,
  tech: TechnicianRecord,
  nowMs: number,
  lifetimeMs: number,
  random: RequestRandomness,
  approvalsPublicKey?: string,
): BuildResult {
  const scopes = checkScopes(tech, req.scopes);
  if (!scopes.ok) return scopes;
  let mode: SessionMode = 'attended';
  if (req.mode === 'unattended') {
    if (!tech.unattended) return { ok: false, code: 'forbidden', detail: `technician ${tech.id} is not allowed unattended access (add the technician with relay add-technician --unattended)` };
    if (!req.approval) return { ok: false, code: 'bad-approval', detail: 'unattended access needs a manager approval or an emergency justification' };
    if (req.approval.kind === 'manager') {
      const problem = checkApprovalToken(req.approval.token, req, tech, nowMs, approvalsPublicKey);
      if (problem) return { ok: false, code: 'bad-approval', detail: problem };
      mode = 'unattended';
    } else {
      mode = 'emergency';
    }
  } else if (req.approval) {
    return { ok: false, code: 'bad-frame', detail: 'an attended request carries no approval' };
  }
  const payload: SessionRequestPayload = {
    requestId: random.id(),
    deviceId: req.deviceId,
    technician: technicianIdentity(tech),
    ticket: req.ticket,
    reason: req.reason,
    scopes: req.scopes,
    mode: req.mode,
    estimatedMinutes: req.estimatedMinutes,
    verificationCode: random.code(),
    nonce: random.nonce(),
    issuedAt: new Date(nowMs).toISOString(),
    expiresAt: new Date(nowMs + lifetimeMs).toISOString(),
  };
  if (req.approval) payload.approval = req.approval;
  if (req.contact) {
    // A contact "in the future" is a typo or a made-up story; the clock-skew allowance is the same as for requests.
    if (Date.parse(req.contact.at) > nowMs + CONTACT_FUTURE_SLACK_MS) return { ok: false, code: 'bad-frame', detail: 'contact.at is in the future: say when you reached the user' };
    payload.contact = req.contact;
  }
  if (req.maintenance) {
    if (req.mode !== 'unattended') return { ok: false, code: 'bad-frame', detail: 'a maintenance task (--task-id) goes with unattended requests' };
    payload.maintenance = req.maintenance;
  }
  return { ok: true, payload, mode };
}
