// One row per session request, folded from the central audit: what the
// monthly report and evidence bundles read (issue 9). The audit stays the
// single source of truth; this is a pure function over its records.
import type { DecidedBy, Outcome } from '../../protocol/messages.js';
import type { Scope } from '../../protocol/scopes.js';
import type { AuditRecord, SessionMode } from './audit-record.js';

export interface FileTransferView {
  transferId: string;
  name: string;
  size: number;
  sha256: string;
  direction: 'to-device' | 'from-device';
  at: string;
  /** The agent's file-rule outcome; null when no result came back. */
  allowed: boolean | null;
  code: string | null;
}

export interface SessionView {
  requestId: string;
  ticketId: string | null;
  deviceId: string | null;
  technicianId: string | null;
  technicianName: string;
  group: string;
  mode: SessionMode;
  scopesRequested: Scope[];
  requestedAt: string;
  /** Agent clock. */
  decidedAt: string | null;
  /** Relay clock when the decision arrived (same clock as requestedAt: time to consent). */
  decisionLoggedAt: string | null;
  outcome: Outcome | 'cancelled' | 'agent-offline' | null;
  decidedBy: DecidedBy | null;
  /** The decision's error code, when it names one (policy-blocked, bad-approval, gate-failed, ...). */
  decisionCode: string | null;
  granted: Scope[];
  declined: Scope[];
  sessionId: string | null;
  startedAt: string | null;
  endedAt: string | null;
  endedBy: string | null;
  files: FileTransferView[];
  /** Close outcome recorded for this session (or for its ticket without a session id, latest wins). */
  closeOutcome: 'resolved' | 'follow-up' | 'escalated' | null;
  closedAt: string | null;
  /** Unattended and emergency: on what authority (the approval token itself is left out). */
  authority: { approver: string; reference: string } | { justification: string; incident: string } | null;
  /** Unattended: the maintenance task and its targets. */
  maintenance: { taskId: string; targets?: string[] } | null;
}

/** Fold records (any order of fetch, sorted here by seq) into one view per request. */
export function projectSessions(records: readonly AuditRecord[]): SessionView[] {
  const sorted = [...records].sort((a, b) => a.seq - b.seq);
  const byRequest = new Map<string, SessionView>();
  const bySession = new Map<string, SessionView>();
  const ticketCloses: Array<{ ticketId: string; outcome: SessionView['closeOutcome']; at: string; technicianId: string | null }> = [];

  for (const r of sorted) {
    const view = (r.sessionId !== null ? bySession.get(r.sessionId) : undefined) ?? (r.requestId !== null ? byRequest.get(r.requestId) : undefined);
    switch (r.kind) {
      case 'request': {
        if (r.requestId === null) break;
        byRequest.set(r.requestId, {
          requestId: r.requestId,
          ticketId: r.ticketId,
          deviceId: r.deviceId,
          technicianId: r.technicianId,
          technicianName: r.data.technician.name,
          group: r.data.technician.group,
          mode: r.data.mode,
          scopesRequested: r.data.scopes,
          requestedAt: r.at,
          decidedAt: null,
          decisionLoggedAt: null,
          outcome: null,
          decidedBy: null,
          decisionCode: null,
          granted: [],
          declined: [],
          sessionId: null,
          startedAt: null,
          endedAt: null,
          endedBy: null,
          files: [],
          closeOutcome: null,
          closedAt: null,
          authority: authorityOf(r.data.approval),
          maintenance: r.data.maintenance ?? null,
        });
        break;
      }
      case 'decision':
        if (!view) break;
        view.decidedAt = r.data.decidedAt;
        view.decisionLoggedAt = r.at;
        view.outcome = r.data.outcome;
        view.decidedBy = r.data.decidedBy;
        view.decisionCode = r.data.code ?? null;
        view.granted = r.data.granted;
        view.declined = r.data.declined;
        if (r.sessionId !== null) link(view, r.sessionId);
        break;
      case 'cancel':
        if (view && view.outcome === null) view.outcome = 'cancelled';
        break;
      case 'rejected':
        if (view && view.outcome === null && r.data.code === 'agent-offline') view.outcome = 'agent-offline';
        break;
      case 'session-started':
        if (!view || r.sessionId === null) break;
        link(view, r.sessionId);
        view.startedAt = r.data.startedAt;
        break;
      case 'session-end':
        if (view && view.endedAt === null) {
          view.endedAt = r.at;
          view.endedBy = r.data.by;
        }
        break;
      case 'file-transfer':
        view?.files.push({ transferId: r.data.transferId, name: r.data.name, size: r.data.size, sha256: r.data.sha256, direction: r.data.direction, at: r.at, allowed: null, code: null });
        break;
      case 'file-transfer-result': {
        const file = view?.files.find((f) => f.transferId === r.data.transferId);
        if (file) {
          file.allowed = r.data.allowed;
          file.code = r.data.code ?? null;
        }
        break;
      }
      case 'close':
        if (view) {
          view.closeOutcome = r.data.outcome;
          view.closedAt = r.at;
        } else if (r.ticketId !== null) {
          ticketCloses.push({ ticketId: r.ticketId, outcome: r.data.outcome, at: r.at, technicianId: r.technicianId });
        }
        break;
      default:
        break;
    }
  }
  // A close without a session id applies to that technician's latest session on the ticket.
  const views = [...byRequest.values()];
  for (const c of ticketCloses) {
    const latest = views.filter((v) => v.ticketId === c.ticketId && v.technicianId === c.technicianId && v.requestedAt <= c.at).at(-1);
    if (latest) {
      latest.closeOutcome = c.outcome;
      latest.closedAt = c.at;
    }
  }
  return views;

  function link(view: SessionView, sessionId: string): void {
    view.sessionId = sessionId;
    bySession.set(sessionId, view);
  }
}

function authorityOf(approval: AuditRecord<'request'>['data']['approval']): SessionView['authority'] {
  if (!approval) return null;
  return approval.kind === 'manager' ? { approver: approval.approver, reference: approval.reference } : { justification: approval.justification, incident: approval.incident };
}
