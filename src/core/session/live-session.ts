// A live session's state: per-scope grants, the time bound, what happened.
// Grants live only here; ending the session drops the object and every grant with it.
import type { Message, SessionSummary, Technician, Ticket } from '../../protocol/messages.js';
import { sortScopes, type Scope } from '../../protocol/scopes.js';
import type { BannerView, ConsentMode, SummaryView } from '../../shared/view-models.js';
import type { Outcome } from '../../protocol/messages.js';

export type EndReason = Message<'session.end'>['by'];
type FileRecord = SessionSummary['files'][number];

export interface LiveSessionInit {
  sessionId: string;
  requestId: string;
  deviceId: string;
  technician: Technician;
  ticket: Ticket;
  mode: 'attended' | 'unattended';
  authorisation: ConsentMode;
  verificationCode: string;
  outcome: Outcome;
  granted: Scope[];
  startedAt: number;
  endsAt: number;
}

export class LiveSession {
  readonly granted: Set<Scope>;
  /** Every scope granted at some point (the agent sees use only for file transfer). */
  readonly everGranted: Set<Scope>;
  readonly files: FileRecord[] = [];
  readonly narration: { at: string; text: string }[] = [];
  endsAt: number;

  constructor(readonly init: LiveSessionInit) {
    this.granted = new Set(init.granted);
    this.everGranted = new Set(init.granted);
    this.endsAt = init.endsAt;
  }

  get id(): string {
    return this.init.sessionId;
  }

  grantedScopes(): Scope[] {
    return sortScopes(this.granted);
  }

  add(scopes: readonly Scope[]): void {
    for (const s of scopes) {
      this.granted.add(s);
      this.everGranted.add(s);
    }
  }

  banner(): BannerView {
    const latest = this.narration[this.narration.length - 1];
    return {
      sessionId: this.id,
      technician: this.init.technician,
      ticket: this.init.ticket,
      mode: this.init.authorisation,
      granted: this.grantedScopes() as BannerView['granted'],
      startedAt: new Date(this.init.startedAt).toISOString(),
      endsAt: new Date(this.endsAt).toISOString(),
      ...(latest ? { latestNarration: latest } : {}),
    };
  }

  summary(endedAt: number, endedBy: EndReason): SessionSummary {
    const used = sortScopes([...this.everGranted].filter((s) => s !== 'file-transfer' || this.files.some((f) => f.allowed)));
    return {
      sessionId: this.id,
      requestId: this.init.requestId,
      deviceId: this.init.deviceId,
      technician: this.init.technician,
      ticket: this.init.ticket,
      mode: this.init.mode,
      scopesGranted: sortScopes(this.everGranted),
      scopesUsed: used,
      startedAt: new Date(this.init.startedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      durationSec: Math.max(0, Math.round((endedAt - this.init.startedAt) / 1000)),
      files: this.files.slice(-500),
      narrationCount: this.narration.length,
      endedBy,
    };
  }

  summaryView(s: SessionSummary): SummaryView {
    return {
      sessionId: s.sessionId,
      technician: s.technician,
      ticket: s.ticket,
      mode: s.mode,
      outcome: this.init.outcome,
      endedBy: s.endedBy,
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      durationSec: s.durationSec,
      scopesGranted: s.scopesGranted,
      scopesUsed: s.scopesUsed,
      files: s.files.map(({ name, size, direction, sha256, allowed }) => ({ name, size, direction, sha256, allowed })),
      narration: this.narration.slice(-500),
    };
  }
}
