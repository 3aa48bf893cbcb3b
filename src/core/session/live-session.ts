// A live session's state: per-scope grants, the time bound, what happened.
// Grants live only here; ending the session drops the object and every grant with it.
// What happened is bounded: the newest narration lines and file records, plus
// counts of everything; the full list is in the audit log.
import type { Message, Outcome, SessionSummary, Technician, Ticket } from '../../protocol/messages.js';
import { sortScopes, type Scope } from '../../protocol/scopes.js';
import type { BannerView, ConsentMode, SummaryView } from '../../shared/view-models.js';
import { fitSummaryToFrame } from './summary-fit.js';

export type EndReason = Message<'session.end'>['by'];
type FileRecord = SessionSummary['files'][number];
type NarrationLine = SummaryView['narration'][number];

/** Newest narration lines a session keeps (for the banner and the summary page). */
export const KEPT_NARRATION_LINES = 100;
/** Newest technician notes ("What was changed") a session keeps for the summary page. */
export const KEPT_NOTES = 100;
/** Newest file records a session keeps; the summary lists at most these. */
export const KEPT_FILE_RECORDS = 100;

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
  private readonly files: FileRecord[] = [];
  private readonly narration: NarrationLine[] = [];
  private readonly notes: NarrationLine[] = [];
  private noteCount = 0;
  private fileCount = 0;
  private narrationCount = 0;
  /** Lines of the conversation (both sides) ever noted; the kept list holds the newest. */
  private conversationCount = 0;
  private latestFromUser: NarrationLine | undefined;
  /** The reply box waits until then (the user sent too many messages too fast). */
  replyPausedUntil: number | undefined;
  private anyFileAllowed = false;
  endsAt: number;
  /** The screen channel's real state, set by the screen gate (undefined: none opened yet). */
  screen: { open: boolean; input: boolean } | undefined;

  constructor(readonly init: LiveSessionInit) {
    this.granted = new Set(init.granted);
    this.everGranted = new Set(init.granted);
    this.endsAt = init.endsAt;
  }

  get id(): string {
    return this.init.sessionId;
  }

  /** Sizes of what the session holds in memory (tests check the bound). */
  get keptRecords(): { files: number; narration: number } {
    return { files: this.files.length, narration: this.narration.length };
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

  noteNarration(line: NarrationLine): void {
    this.narrationCount++;
    this.conversationCount++;
    keepNewest(this.narration, line, KEPT_NARRATION_LINES);
  }

  /** The user's own message, kept in the same conversation as the technician's narration. */
  noteUserMessage(line: { at: string; text: string }): void {
    this.conversationCount++;
    this.latestFromUser = line;
    keepNewest(this.narration, { ...line, from: 'user' }, KEPT_NARRATION_LINES);
  }

  noteChange(line: NarrationLine): void {
    this.noteCount++;
    keepNewest(this.notes, line, KEPT_NOTES);
  }

  noteFile(record: FileRecord): void {
    this.fileCount++;
    if (record.allowed) this.anyFileAllowed = true;
    keepNewest(this.files, record, KEPT_FILE_RECORDS);
  }

  banner(): BannerView {
    const latest = this.narration.findLast((l) => l.from !== 'user');
    const { latestFromUser: mine, replyPausedUntil: paused } = this;
    return {
      sessionId: this.id,
      technician: this.init.technician,
      ticket: this.init.ticket,
      mode: this.init.authorisation,
      granted: this.grantedScopes() as BannerView['granted'],
      startedAt: new Date(this.init.startedAt).toISOString(),
      endsAt: new Date(this.endsAt).toISOString(),
      ...(latest ? { latestNarration: { at: latest.at, text: latest.text } } : {}),
      ...(mine ? { latestUserMessage: mine } : {}),
      ...(paused !== undefined ? { replyPausedUntil: new Date(paused).toISOString() } : {}),
      ...(this.screen ? { screen: { ...this.screen } } : {}),
    };
  }

  /** The summary for the relay, trimmed (oldest files first) until its frame fits. */
  summary(endedAt: number, endedBy: EndReason): SessionSummary {
    const used = sortScopes([...this.everGranted].filter((s) => s !== 'file-transfer' || this.anyFileAllowed));
    const full: SessionSummary = {
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
      files: [...this.files],
      narrationCount: this.narrationCount,
      endedBy,
    };
    return fitSummaryToFrame(full, this.fileCount);
  }

  summaryView(s: SessionSummary): SummaryView {
    const filesOmitted = this.fileCount - s.files.length;
    const narrationOmitted = this.conversationCount - this.narration.length;
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
      narration: [...this.narration],
      ...(filesOmitted > 0 ? { filesOmitted } : {}),
      ...(narrationOmitted > 0 ? { narrationOmitted } : {}),
      ...(this.notes.length > 0 ? { notes: [...this.notes] } : {}),
      ...(this.noteCount > this.notes.length ? { notesOmitted: this.noteCount - this.notes.length } : {}),
    };
  }
}

function keepNewest<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}
