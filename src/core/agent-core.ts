// The agent's brain, independent of the transport: takes verified-or-not
// relay messages and hands each to the flow that owns it (new requests,
// escalations, the live session). Every flow writes to the audit log first
// and only then reports to the relay (RecordThenSend).
import type { Message } from '../protocol/messages.js';
import type { Scope } from '../protocol/scopes.js';
import type { Clock } from '../shared/clock.js';
import type { AuditSink } from './audit/audit-log.js';
import { RecordThenSend } from './audit/record-then-send.js';
import { GateSet, type GateBinding } from './access/gate-set.js';
import { gatesFromPolicy } from './access/gates-from-policy.js';
import { recoverLeftOpen, type RecoveryReport } from './access/gate-recovery.js';
import { BlockNotices } from './consent/block-notices.js';
import { ConsentGate } from './consent/consent-gate.js';
import { EscalationFlow, type EscalationWhileControlled } from './consent/escalation-flow.js';
import { RequestFlow } from './consent/request-flow.js';
import { AgreedWindows } from './consent/agreed-windows.js';
import { ScheduleFlow, type WindowSigner } from './consent/schedule-flow.js';
import type { Policy } from './policy/schema.js';
import { ScreenGate } from './screen/screen-gate.js';
import { ScreenService } from './screen/screen-service.js';
import { FileService } from './files/file-service.js';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionController } from './session/session-controller.js';
import { DecisionAcks } from './session/decision-acks.js';
import { QUICK_QUESTION_TEXT, UserMessages, type UserMessageResult } from './session/user-messages.js';
import { Resolutions, type ResolutionResult } from './session/resolutions.js';
import type { AgentStatus, UiPort } from './ui-port.js';
import type { ReplayCache } from './verification/replay-cache.js';
import type { HonouredApprovals } from './verification/honoured-approvals.js';
import type { ScreenLockSensor } from './consent/approval-when-away.js';
import { latencyMark } from '../protocol/latency-marks.js';

export type { EscalationWhileControlled } from './consent/escalation-flow.js';

/** Relay messages the core handles (`welcome` stays in the connection layer). */
export type CoreInbound = Message<
  | 'session.request'
  | 'schedule.request'
  | 'session.cancel'
  | 'session.recorded'
  | 'session.narration'
  | 'session.note'
  | 'session.scope-request'
  | 'session.file-transfer'
  | 'session.end'
  | 'channel.open'
  | 'channel.close'
  | 'error'
>;

export interface AgentCoreOptions {
  policy: Policy;
  ui: UiPort;
  audit: AuditSink;
  replay: ReplayCache;
  /** Manager approvals this device has honoured, with their use counts (persisted in the data dir). */
  honoured: HonouredApprovals;
  deviceId: string;
  clock: Clock;
  /** `headless`: nobody can answer a prompt, attended requests decline with no-user-present. */
  presence: 'interactive' | 'headless';
  /** Where the platform says the screen is locked: a manager approval then applies without a prompt. */
  screenLock?: ScreenLockSensor;
  /** Hand a message to the relay; false when not connected. */
  send: (msg: Message) => boolean;
  newSessionId?: () => string;
  /** What to do with an escalation while the technician holds `control` or `admin` (see EscalationWhileControlled). */
  escalationWhileControlled?: EscalationWhileControlled;
  /** Makes the escalation confirmation code (tests: a known code). */
  confirmCode?: () => string;
  /** Gates beyond the policy's command hooks (e.g. the screen gate), bound to their scopes by IT policy. */
  extraGates?: readonly GateBinding[];
  /** Hand a binary data-channel frame to the relay; false when not connected. */
  sendBinary?: (frame: Uint8Array) => boolean;
  /** Where gates keep per-session state (x11vnc's private folders); default under the OS temp dir. */
  gateStateDir?: string;
  /** How long a granting decision waits for the relay's `session.recorded` before it declines (default 5 s). */
  decisionAckMs?: number;
  /** Signs agreed windows with the device key (issue 20); without it a proposed window is refused. */
  windowSigner?: WindowSigner;
  /** Where agreed windows are kept (the agent's data dir); absent: in memory only. */
  agreedWindowsFile?: string;
}

export class AgentCore {
  private readonly sessions: SessionController;
  private readonly gate: ConsentGate;
  private readonly requests: RequestFlow;
  private readonly schedules: ScheduleFlow;
  private readonly windows: AgreedWindows;
  private windowTimer: unknown;
  private readonly escalations: EscalationFlow;
  private readonly audited: RecordThenSend;
  private readonly blockNotices: BlockNotices;
  private readonly gates: GateSet;
  private readonly screen: ScreenService;
  private readonly files: FileService;
  private readonly acks: DecisionAcks;
  private readonly userMessages: UserMessages;
  private readonly resolutions: Resolutions;
  private readonly inflight = new Set<Promise<unknown>>();
  private connection: AgentStatus['connection'] = 'disconnected';
  private relayUrl: string | undefined;
  private stopped = false;

  constructor(private readonly options: AgentCoreOptions) {
    const { policy, ui, clock } = options;
    const track = <T>(work: Promise<T>) => this.track(work);
    const statusChanged = () => this.pushStatus();
    this.acks = new DecisionAcks(clock, options.decisionAckMs);
    this.audited = new RecordThenSend(options.audit, options.send);
    this.blockNotices = new BlockNotices(clock, (n) => ui.notify(n));
    this.gate = new ConsentGate({ policy, ui, clock, statusChanged });
    // The screen gate serves `view` when IT's policy names a screen server: granting view opens the screen.
    const screenGate = policy.screenServer && new ScreenGate({
      server: policy.screenServer,
      stateDir: options.gateStateDir ?? join(tmpdir(), `porchlight-gates-${process.getuid?.() ?? 'user'}`),
      closeChannel: (id) => this.screen.gateClosing(id),
    });
    const bindings = [
      ...gatesFromPolicy(policy, this.audited),
      ...(screenGate ? [{ scope: 'view' as const, gate: screenGate }] : []),
      ...(options.extraGates ?? []),
    ];
    const gates = new GateSet(bindings, this.audited, ui);
    this.gates = gates;
    const fileRules = policy.fileTransfer;
    this.sessions = new SessionController({ clock, ui, audited: this.audited, fileRules, gates, statusChanged, track });
    const { audited, sessions, gate, acks } = this;
    const signer = options.windowSigner;
    this.windows = new AgreedWindows({
      ...(options.agreedWindowsFile !== undefined ? { path: options.agreedWindowsFile } : {}),
      deviceId: options.deviceId,
      verify: (w) => signer?.verify(w) ?? false,
    });
    const windows = this.windows;
    const shared = { ...options, audited, sessions, gate, gates, track, acks, windows };
    this.requests = new RequestFlow({ ...shared, blockNotices: this.blockNotices });
    this.schedules = new ScheduleFlow({ ...shared, signer, statusChanged });
    this.escalations = new EscalationFlow(shared);
    this.screen = this.screenService(options, screenGate);
    this.files = new FileService({
      folder: policy.fileFolder ?? join(homedir(), 'Downloads', 'Porchlight'),
      session: (id) => this.gateSession(id),
      audited: this.audited,
      sendBinary: options.sendBinary ?? (() => false),
    });
    const live = (id: string) => this.sessions.liveWithId(id);
    this.userMessages = new UserMessages({ clock, ui, audited: this.audited, live });
    this.resolutions = new Resolutions(clock, this.audited);
    this.sessions.onSummaryShown((id, fields) => this.resolutions.ended(id, fields));
    this.sessions.onEnded((id) => {
      this.userMessages.forget(id);
      void this.track(Promise.all([this.screen.sessionEnded(id), this.files.sessionEnded(id)]));
    });
    this.sessions.onGrantsChanged(
      (id) => void this.track(Promise.all([this.screen.grantsChanged(id), this.files.grantsChanged(id)])),
    );
    this.sessions.onFileAllowed((msg) => this.files.allowed(msg));
  }

  /** What a gate needs to know of the live session with this id. */
  private gateSession(id: string) {
    const s = this.sessions.liveWithId(id);
    return s && { granted: s.granted, ticketId: s.init.ticket.id, technicianId: s.init.technician.id };
  }

  private screenService(options: AgentCoreOptions, gate: ScreenGate | undefined): ScreenService {
    return new ScreenService({
      endpoints: gate,
      session: (id) => this.gateSession(id),
      audited: this.audited,
      sendBinary: options.sendBinary ?? (() => false),
      changed: (id) => this.screenChanged(id),
    });
  }

  /** The banner says what the channel really does: open (sees the screen), carrying input (controls it). */
  private screenChanged(sessionId: string): void {
    const s = this.sessions.liveWithId(sessionId);
    if (!s) return;
    s.screen = this.screen.state(sessionId);
    this.options.ui.showBanner(s.banner());
  }

  /** A binary data-channel frame from the relay. */
  handleBinary(frame: Uint8Array): void {
    if (this.stopped) return;
    this.screen.onFrame(frame);
    this.files.onFrame(frame);
  }

  // ---- inputs ------------------------------------------------------------------

  handle(msg: CoreInbound): Promise<void> {
    if (this.stopped) return Promise.resolve();
    switch (msg.type) {
      case 'session.request':
        latencyMark('agent.request.frame', msg.payload.requestId);
        return this.track(this.requests.onRequest(msg));
      case 'schedule.request':
        return this.track(this.schedules.onRequest(msg));
      case 'session.cancel':
        return this.track(this.requests.onCancel(msg));
      case 'session.recorded':
        if (msg.requestId !== undefined) latencyMark('agent.recorded.frame', msg.requestId);
        this.acks.onRelayMessage(msg);
        return Promise.resolve();
      case 'session.scope-request':
        return this.track(this.escalations.onScopeRequest(msg));
      case 'session.narration':
        return this.track(this.sessions.onNarration(msg));
      case 'session.note':
        return this.track(this.sessions.onNote(msg));
      case 'session.file-transfer':
        return this.track(this.sessions.onFileTransfer(msg));
      case 'session.end': {
        // The relay ends a session for the technician, or itself when the granted time is over (expiry) or by policy.
        const by = msg.by === 'expiry' || msg.by === 'policy' ? msg.by : 'technician';
        return this.track(this.sessions.end(msg.sessionId, by, msg.reason, true).then(() => undefined));
      }
      case 'channel.open':
        return this.track(msg.kind === 'file' ? this.files.onOpen(msg) : this.screen.onOpen(msg));
      case 'channel.close':
        return this.track(Promise.all([this.screen.onClose(msg), this.files.onClose(msg)]).then(() => undefined));
      case 'error': {
        // An error naming a decision that waits for the relay's word (audit-unavailable) declines it.
        this.acks.onRelayMessage(msg);
        return this.track(this.audited.recordOnly('relay.error', { code: msg.code, detail: msg.detail, re: msg.re }));
      }
    }
  }

  /**
   * At start, before connecting: close through the gates what the audit log shows left open by an
   * unclean stop, and record each session left open as ended (`agent-restart`, `clean: false`).
   */
  recoverLeftOpen(auditDir: string): Promise<RecoveryReport> {
    return this.track(recoverLeftOpen(auditDir, this.gates, this.audited, this.options.deviceId));
  }

  setConnection(state: AgentStatus['connection'], relayUrl?: string): void {
    this.connection = state;
    if (relayUrl !== undefined) this.relayUrl = relayUrl;
    this.pushStatus();
  }

  /** The relay went away: every prompt declines and the live session ends. */
  relayLost(): Promise<void> {
    this.gate.abortAll('relay-lost');
    // A grant on its way (waiting for the relay's word, or its gates) does not start.
    this.acks.abortAll('relay-lost');
    this.sessions.dropReservation();
    const live = this.sessions.live;
    return this.track(live ? this.sessions.end(live.id, 'relay-lost').then(() => undefined) : Promise.resolve());
  }

  revokeScope(sessionId: string, scope: Scope): Promise<boolean> {
    return this.track(this.sessions.revoke(sessionId, scope));
  }

  /** The user's own words from the banner (or the quick question's fixed text): audited, then to the technician. */
  sendUserMessage(sessionId: string, text: string | { quick: 'question' }): Promise<UserMessageResult> {
    if (this.stopped) return Promise.resolve('no-session');
    const work =
      typeof text === 'string'
        ? this.userMessages.send(sessionId, text)
        : this.userMessages.send(sessionId, QUICK_QUESTION_TEXT, 'question');
    return this.track(work);
  }

  /** The summary page's "Is your problem solved?" answer: audited, then to the relay (one per ended session). */
  sendResolution(answer: unknown): Promise<ResolutionResult> {
    if (this.stopped) return Promise.resolve('unknown-session');
    return this.track(this.resolutions.answer(answer));
  }

  /** The user cancelled a window they agreed to (tray): signed, recorded, reported to the relay. */
  revokeAgreedWindow(windowId: string): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return this.track(this.schedules.revoke(windowId));
  }

  endSession(sessionId: string): Promise<boolean> {
    return this.track(this.sessions.end(sessionId, 'user', 'the user ended the session'));
  }

  async stop(): Promise<void> {
    this.gate.abortAll('agent-restart');
    this.acks.abortAll('agent-exit');
    this.sessions.dropReservation();
    const live = this.sessions.live;
    if (live) await this.track(this.sessions.end(live.id, 'agent-exit'));
    await this.idle();
    this.blockNotices.stop();
    this.options.clock.clearTimeout(this.windowTimer);
    this.stopped = true;
  }

  status(): AgentStatus {
    const s = this.sessions.live;
    const session = s && {
      sessionId: s.id,
      technicianName: s.init.technician.name,
      ticketId: s.init.ticket.id,
      endsAt: new Date(s.endsAt).toISOString(),
    };
    const agreedWindows = this.windows.list(this.options.clock.now()).map((w) => ({
      windowId: w.windowId,
      technicianName: w.technicianName,
      ticketId: w.ticketId,
      scopes: w.scopes,
      startsAt: w.startsAt,
      endsAt: w.endsAt,
    }));
    return {
      connection: this.connection,
      ...(this.relayUrl ? { relayUrl: this.relayUrl } : {}),
      prompting: this.gate.prompting,
      ...(session ? { session } : {}),
      ...(agreedWindows.length > 0 ? { agreedWindows } : {}),
    };
  }

  /** Granted scopes of the live session (empty when none): what the technician may do right now. */
  grants(): Scope[] {
    return this.sessions.live?.grantedScopes() ?? [];
  }

  /** Resolves when no work started so far is still running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  // ---- plumbing --------------------------------------------------------------------------

  private pushStatus(): void {
    this.options.ui.setStatus(this.status());
    this.armWindowExpiry();
  }

  /** An agreed window that ends leaves the tray when it ends (status() drops it). */
  private armWindowExpiry(): void {
    const { clock } = this.options;
    clock.clearTimeout(this.windowTimer);
    this.windowTimer = undefined;
    if (this.stopped) return;
    const next = this.windows.nextEnd(clock.now());
    if (next === undefined) return;
    const wait = Math.min(Math.max(0, next - clock.now()), 2 ** 31 - 1);
    this.windowTimer = clock.setTimeout(() => this.pushStatus(), wait);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work)).catch(() => {});
    return work;
  }
}
