// On what authority an unattended request asked to run, as the device's own
// log keeps it: an auditor holding only this log can name the approver, the
// written approval's reference, until when it was valid and which token it
// was (sha256 of its canonical JSON, matchable against the token IT issued),
// or the emergency's justification and incident. Attended requests carry none.
import type { AuditFields } from '../../protocol/agent-audit-record.js';
import type { SessionRequestPayload } from '../../protocol/messages.js';
import { approvalUses } from '../../protocol/approval.js';
import { approvalTokenSha256 } from '../../protocol/signed-messages.js';

export function authorityFields(p: SessionRequestPayload): AuditFields {
  const a = p.approval;
  if (p.mode === 'attended' || !a) return {};
  if (a.kind === 'emergency') {
    return { authority: { kind: 'emergency', justification: a.justification, incident: a.incident } };
  }
  const t = a.token.payload;
  return {
    authority: {
      kind: 'approval',
      approver: t.approver,
      reference: t.reference,
      approvalIssuedAt: t.issuedAt,
      approvalExpiresAt: t.expiresAt,
      approvalTokenSha256: approvalTokenSha256(a.token),
      approvalUses: approvalUses(t),
    },
  };
}
