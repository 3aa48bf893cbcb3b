// The live session, at most one: its start, the timer that ends it, revoke,
// narration, file announcements and the end (grants first, then the access
// gates close, then record and report).
import { errorMessage, newMessageId } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import type { Scope } from '../../protocol/scopes.js';
import type { GateSet } from '../access/gate-set.js';
import { gateSessionOf } from '../access/gate-session.js';
import type { Clock } from '../../shared/clock.js';
import type { RecordThenSend } from '../audit/record-then-send.js';
import { checkFileTransfer } from '../policy/file-rules.js';
import type { Policy } from '../policy/schema.js';
import type { UiPort } from '../ui-port.js';
import type { EndReason, LiveSession } from './live-session.js';
import { endMessage, scopeUpdateMessage, sessionFields, startedMessage } from './session-messages.js';

export interface SessionControllerDeps {
  clock: Clock;
  ui: UiPort;
  audited: RecordThenSend;
  fileRules: Policy['fileTransfer'];
  /** Closes what the access gates opened (revoke, end, expiry, relay loss, agent exit). */
  gates: GateSet;
  /** Something the tray shows changed. */
  statusChanged: () => void;
  /** Keeps work started by a timer visible to `idle()`. */
  track: <T>(work: Promise<T>) => Promise<T>;
}

export class SessionController {
  private current: LiveSession | undefined;
  /** A granted session between its decision and its start (relay's word, gates): holds the slot, grants nothing. */
  private reservedSlot: LiveSession | undefined;
  private expiryTimer: unknown;
  private readonly endedListeners: ((sessionId: string) => void)[] = [];
  private readonly grantsListeners: ((sessionId: string) => void)[] = [];
  private readonly fileAllowedListeners: ((msg: Message<'session.file-transfer'>) => void)[] = [];
  private readonly summaryListeners: ((sessionId: string, fields: ReturnType<typeof sessionFields>) => void)[] = [];

  constructor(private readonly d: SessionControllerDeps) {}

  /** The started session: the only one narration, files, escalations and gates see. */
  get live(): LiveSession | undefined {
    return this.current;
  }

  /** A session is live or a granted one is on its way: a second grant must not slip in. */
  get slotTaken(): boolean {
    return this.current !== undefined || this.reservedSlot !== undefined;
  }

  /** The live session if it has this id. */
  liveWithId(sessionId: string): LiveSession | undefined {
    return this.current?.id === sessionId ? this.current : undefined;
  }

  /** Called with the id of every session that ended (flows drop what they kept about it). */
  onEnded(listener: (sessionId: string) => void): void {
    this.endedListeners.push(listener);
  }

  /** Called synchronously whenever a live session loses a scope (gates close what it opened). */
  onGrantsChanged(listener: (sessionId: string) => void): void {
    this.grantsListeners.push(listener);
  }

  /** Called when a summary is shown, with that session's audit fields (the resolution question answers it). */
  onSummaryShown(listener: (sessionId: string, fields: ReturnType<typeof sessionFields>) => void): void {
    this.summaryListeners.push(listener);
  }

  /** Called with every announcement the file rules allowed (its bytes may follow on a file channel). */
  onFileAllowed(listener: (msg: Message<'session.file-transfer'>) => void): void {
    this.fileAllowedListeners.push(listener);
  }

  /** Take the one session slot before the decision is written, so no second grant can slip in. */
  reserve(s: LiveSession): void {
    this.reservedSlot = s;
  }

  /** Still reserved: nothing (relay loss, agent exit) took the slot back meanwhile. */
  isReserved(s: LiveSession): boolean {
    return this.reservedSlot === s;
  }

  /** The decision was not recorded or not confirmed: give the slot back. */
  release(s: LiveSession): void {
    if (this.reservedSlot === s) this.reservedSlot = undefined;
  }

  /** Relay lost or agent stopping: a grant on its way does not start (its flow closes what it opened). */
  dropReservation(): void {
    this.reservedSlot = undefined;
  }

  /** Start a reserved session: from here it is live and its grants count. */
  async start(s: LiveSession, minutes: number): Promise<void> {
    if (this.reservedSlot !== s) return;
    this.reservedSlot = undefined;
    this.current = s;
    this.armExpiry(s);
    const started = startedMessage(s);
    const fields = { ...sessionFields(s), scopes: started.scopes, mode: s.init.mode, minutes, endsAt: started.endsAt };
    if (!(await this.d.audited.record('session.started', fields, started))) {
      await this.end(s.id, 'policy', 'the audit log could not be written');
      return;
    }
    if (this.current !== s) return;
    this.d.ui.showBanner(s.banner());
    if (s.init.mode === 'unattended') {
      const a = s.init.authorisation;
      const why =
        a.kind === 'emergency'
          ? `emergency (${a.incident})`
          : `approved by ${a.kind === 'unattended' ? a.approver : 'IT'}`;
      const body = `${s.init.technician.name} is connected for ticket ${s.init.ticket.id}, ${why}.`;
      this.d.ui.notify({ kind: 'unattended-start', title: 'Unattended remote support started', body });
    }
    this.d.statusChanged();
  }

  /** Apply an escalation that is already recorded: more scopes and/or a later end. */
  applyEscalation(s: LiveSession, added: readonly Scope[], endsAt: number): boolean {
    if (this.current !== s) return false;
    s.add(added);
    s.endsAt = endsAt;
    this.armExpiry(s);
    this.d.ui.showBanner(s.banner());
    this.d.statusChanged();
    return true;
  }

  /** End the session: grants go first (synchronously), then record and report. */
  async end(sessionId: string, by: EndReason, reason?: string, endedByRelay = false): Promise<boolean> {
    const s = this.liveWithId(sessionId);
    if (!s) return false;
    this.current = undefined;
    s.granted.clear();
    for (const listener of this.endedListeners) listener(s.id);
    this.d.clock.clearTimeout(this.expiryTimer);
    this.d.ui.hideBanner(s.id);
    this.d.statusChanged();
    // Close real access before anything is recorded or reported.
    await this.d.gates.end(gateSessionOf(s));
    const summary = s.summary(this.d.clock.now(), by);
    // With the relay lost these can't go now: they wait among the unacknowledged reports and go late on reconnect.
    const end = !endedByRelay && by !== 'technician' ? endMessage(s, by, reason) : undefined;
    await this.d.audited.record('session.ended', { ...sessionFields(s), by, reason }, end, { sendOnFailure: true });
    const summaryMsg: Message<'session.summary'> = { v: 1, type: 'session.summary', id: newMessageId(), summary };
    await this.d.audited.record('session.summary', { ...sessionFields(s), summary }, summaryMsg, {
      sendOnFailure: true,
    });
    for (const listener of this.summaryListeners) listener(s.id, sessionFields(s));
    this.d.ui.showSummary(s.summaryView(summary));
    if (s.init.mode === 'unattended' || by !== 'user') {
      // The relay's own reason says what happened (IT withdrew the technician's access, an audit fault).
      const why = endedByRelay && by === 'policy' && reason ? `: ${reason}` : ` (${by})`;
      const body = `Session for ticket ${s.init.ticket.id} ended${why}.`;
      this.d.ui.notify({ kind: 'session-end', title: 'Remote support session ended', body });
    }
    return true;
  }

  async revoke(sessionId: string, scope: Scope): Promise<boolean> {
    const s = this.liveWithId(sessionId);
    if (!s || !s.granted.has(scope)) return false;
    s.granted.delete(scope);
    for (const listener of this.grantsListeners) listener(s.id);
    if (s.granted.size === 0) return this.end(s.id, 'user', `the user revoked ${scope}, the last granted scope`);
    this.d.ui.showBanner(s.banner());
    this.d.statusChanged();
    await this.d.gates.revoke(gateSessionOf(s), scope);
    const update = scopeUpdateMessage(s, 'revoked', [scope]);
    await this.d.audited.record('scope.revoked', { ...sessionFields(s), scope, granted: s.grantedScopes() }, update, {
      sendOnFailure: true,
    });
    return true;
  }

  async onNarration(msg: Message<'session.narration'>): Promise<void> {
    const s = this.liveWithId(msg.sessionId);
    if (!s) {
      this.d.audited.send(errorMessage('unknown-session', 'no live session has that id', msg.id));
      return;
    }
    s.noteNarration({ at: new Date(this.d.clock.now()).toISOString(), text: msg.text });
    await this.d.audited.recordOnly('session.narration', { ...sessionFields(s), text: msg.text });
    if (this.current === s) this.d.ui.showBanner(s.banner());
  }

  /** A technician's note of what was changed: kept for the summary, recorded in the device audit, no banner change. */
  async onNote(msg: Message<'session.note'>): Promise<void> {
    const s = this.liveWithId(msg.sessionId);
    if (!s) {
      this.d.audited.send(errorMessage('unknown-session', 'no live session has that id', msg.id));
      return;
    }
    s.noteChange({ at: new Date(this.d.clock.now()).toISOString(), text: msg.text });
    await this.d.audited.recordOnly('session.note', { ...sessionFields(s), text: msg.text });
  }

  async onFileTransfer(msg: Message<'session.file-transfer'>): Promise<void> {
    const s = this.liveWithId(msg.sessionId);
    const verdict = this.fileVerdict(s, msg);
    const { name, size, sha256, direction, transferId } = msg;
    const result: Message<'session.file-transfer-result'> = {
      v: 1,
      type: 'session.file-transfer-result',
      id: newMessageId(),
      sessionId: msg.sessionId,
      transferId,
      allowed: verdict.allowed,
      ...(verdict.allowed ? {} : { code: verdict.code, detail: verdict.detail }),
    };
    const fields = {
      sessionId: msg.sessionId,
      ticketId: s?.init.ticket.id ?? msg.ticketId,
      technicianId: s?.init.technician.id,
      transferId,
      name,
      size,
      sha256,
      direction,
      announcedTicketId: msg.ticketId,
      allowed: verdict.allowed,
      code: verdict.allowed ? undefined : verdict.code,
    };
    if (!(await this.d.audited.record('file.transfer', fields, result))) {
      this.d.audited.send({
        ...result,
        allowed: false,
        code: 'audit-unavailable',
        detail: 'the audit log could not be written',
      });
      return;
    }
    if (s && this.current === s) s.noteFile({ transferId, name, size, sha256, direction, allowed: verdict.allowed });
    if (s && this.current === s && verdict.allowed) for (const listener of this.fileAllowedListeners) listener(msg);
  }

  private fileVerdict(s: LiveSession | undefined, msg: Message<'session.file-transfer'>) {
    if (!s) return { allowed: false as const, code: 'unknown-session' as const, detail: 'no live session has that id' };
    if (!s.granted.has('file-transfer')) {
      return {
        allowed: false as const,
        code: 'forbidden' as const,
        detail: 'file-transfer is not granted in this session',
      };
    }
    return checkFileTransfer(msg, this.d.fileRules, s.init.ticket.id);
  }

  private armExpiry(s: LiveSession): void {
    this.d.clock.clearTimeout(this.expiryTimer);
    const endAtExpiry = () => void this.d.track(this.end(s.id, 'expiry', 'the granted time is over'));
    this.expiryTimer = this.d.clock.setTimeout(endAtExpiry, s.endsAt - this.d.clock.now());
  }
}
