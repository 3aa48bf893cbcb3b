// The one factory the Electron shell, headless mode and end-to-end tests call.
// It wires device identity, audit log, replay cache, the relay connection and
// the core; the caller supplies the policy and a UI port.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientOptions } from 'ws';
import type { Scope } from '../protocol/scopes.js';
import { AgentCore, type EscalationWhileControlled } from './agent-core.js';
import { AuditLog, type AuditSink } from './audit/audit-log.js';
import type { GateBinding } from './access/gate-set.js';
import { UnavailableAudit } from './audit/unavailable-audit.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { BackoffOptions } from './connection/backoff.js';
import { RelayConnection } from './connection/relay-connection.js';
import { DeviceSigner } from './identity/device-signer.js';
import { defaultAuditDir } from './data-dir.js';
import { loadOrCreateDeviceKey } from './identity/device-key.js';
import { relayUrlsOf, type Policy } from './policy/schema.js';
import type { UserMessageResult } from './session/user-messages.js';
import type { ResolutionResult } from './session/resolutions.js';
import type { ResolutionAnswer } from '../shared/view-models.js';
import type { AgentStatus, UiPort } from './ui-port.js';
import { ReplayCache } from './verification/replay-cache.js';
import { HonouredApprovals } from './verification/honoured-approvals.js';
import type { ScreenLockSensor } from './consent/approval-when-away.js';
import { isLateReport, lateMessage, UnackedReports } from './connection/unacked-reports.js';
import type { Message } from '../protocol/messages.js';
import { latencyMark } from '../protocol/latency-marks.js';
import { signAgreedWindow, signWindowRevocation, verifyAgreedWindowSignature } from '../protocol/signed-messages.js';
import type { Ed25519KeyPair } from '../protocol/signing.js';
import { AGREED_WINDOWS_FILE } from './consent/agreed-windows.js';
import type { WindowSigner } from './consent/schedule-flow.js';

export interface AgentOptions {
  policy: Policy;
  ui: UiPort;
  /** Device key, replay cache, enrollment marker; the audit log too unless policy.auditDir says otherwise. */
  dataDir: string;
  deviceId: string;
  /** One-time token from `porchlight relay enroll-device`; sent until the relay first welcomes us. */
  enrollmentToken?: string;
  /** `headless`: no one can answer prompts (attended requests decline with no-user-present). Default interactive. */
  presence?: 'interactive' | 'headless';
  /** Where the platform says the screen is locked (Electron's powerMonitor); a manager approval then applies unprompted. */
  screenLock?: ScreenLockSensor;
  agentVersion?: string;
  clock?: Clock;
  backoff?: BackoffOptions;
  heartbeatMs?: number;
  silenceMs?: number;
  wsOptions?: ClientOptions;
  /** Replace the audit log (tests: a failing sink). */
  audit?: AuditSink;
  /** Escalations while `control`/`admin` is live: ask for the confirmation code (default) or decline (where the dialog is not hidden from the remote viewer). */
  escalationWhileControlled?: EscalationWhileControlled;
  /** Makes the escalation confirmation code (tests only: a known code). */
  confirmCode?: () => string;
  /** Gates beyond the policy's command hooks (e.g. the screen gate), bound to their scopes from IT policy. */
  extraGates?: readonly GateBinding[];
  /** How long a granting decision waits for the relay's `session.recorded` before it declines (default 5000 ms). */
  decisionAckMs?: number;
}

export interface Agent {
  /** Open the audit log and connect. Resolves once started (not once connected). */
  start(): Promise<void>;
  /** End any session (agent-exit), decline prompts, close the connection and the log. */
  stop(): Promise<void>;
  revokeScope(sessionId: string, scope: Scope): Promise<boolean>;
  endSession(sessionId: string): Promise<boolean>;
  /** The user cancelled a window they agreed to in advance (issue 20); false when there is none with that id. */
  revokeAgreedWindow(windowId: string): Promise<boolean>;
  /** The user's message from the banner's reply box, or `{quick: 'question'}` (issue 20). */
  sendUserMessage(sessionId: string, text: string | { quick: 'question' }): Promise<UserMessageResult>;
  /** The summary page's "Is your problem solved?" answer (issue 20). */
  sendResolution(answer: ResolutionAnswer): Promise<ResolutionResult>;
  status(): AgentStatus;
  /** Granted scopes of the live session right now. */
  grants(): Scope[];
  /** The device public key (base64url), available after start(). */
  devicePublicKey(): string | undefined;
  /** Resolves when no started work is pending (tests). */
  idle(): Promise<void>;
}

const ENROLLED_MARKER = 'enrolled';
/** The approvals this device honoured and how often (honoured-approvals.ts). */
export const HONOURED_APPROVALS_FILE = 'honoured-approvals.json';

export function createAgent(options: AgentOptions): Agent {
  const clock = options.clock ?? systemClock;
  let core: AgentCore | undefined;
  let connection: RelayConnection | undefined;
  let auditLog: AuditLog | undefined;
  let publicKey: string | undefined;
  let status: AgentStatus = { connection: 'not-configured', prompting: false };
  let connectionProblem: string | undefined;
  const statusUi = wrapStatus(options.ui, (s) => (status = s), () => connectionProblem);

  return {
    async start() {
      const { policy, dataDir } = options;
      const key = loadOrCreateDeviceKey(dataDir);
      const signer = new DeviceSigner(options.deviceId, key);
      publicKey = key.publicKey;
      let audit = options.audit;
      let auditProblem: string | undefined;
      if (!audit) {
        const dir = policy.auditDir ?? defaultAuditDir(dataDir);
        try {
          auditLog = await AuditLog.open({ dir, clock, retentionDays: policy.retentionDays });
          await auditLog.prune();
          audit = auditLog;
        } catch (err) {
          // Keep running so requests get a clear audit-unavailable answer; nothing can be granted.
          auditLog = undefined;
          auditProblem = `the audit log in ${dir} cannot be written (${(err as Error).message}); every request will be declined`;
          audit = new UnavailableAudit(auditProblem);
        }
      }
      const replay = ReplayCache.open(join(dataDir, 'replay-cache.json'), clock);
      const honoured = HonouredApprovals.open(join(dataDir, HONOURED_APPROVALS_FILE), clock);
      // Reports the relay has not said it recorded: re-sent as session.late after every reconnect.
      const unacked = UnackedReports.open(dataDir);
      const sendReport = (msg: Message): boolean => {
        const decision = msg.type === 'session.decision' ? msg.requestId : undefined;
        if (decision !== undefined) latencyMark('agent.decision.recorded', decision);
        const signed = signer.sign(msg);
        if (decision !== undefined) latencyMark('agent.decision.signed', decision);
        // Sent first, kept for re-sending right after in the same turn (before any ack can be read): the file
        // write is not on the way to the technician.
        const sent = connection?.send(signed) ?? false;
        if (decision !== undefined) latencyMark('agent.decision.sent', decision);
        if (isLateReport(signed)) unacked.add(signed);
        return sent;
      };
      const c = new AgentCore({
        policy,
        ui: statusUi,
        audit,
        replay,
        honoured,
        ...(options.screenLock ? { screenLock: options.screenLock } : {}),
        deviceId: options.deviceId,
        clock,
        presence: options.presence ?? 'interactive',
        send: sendReport,
        sendBinary: (frame) => connection?.sendBinary(frame) ?? false,
        gateStateDir: join(dataDir, 'gates'),
        ...(options.escalationWhileControlled ? { escalationWhileControlled: options.escalationWhileControlled } : {}),
        ...(options.confirmCode ? { confirmCode: options.confirmCode } : {}),
        ...(options.extraGates ? { extraGates: options.extraGates } : {}),
        ...(options.decisionAckMs !== undefined ? { decisionAckMs: options.decisionAckMs } : {}),
        windowSigner: deviceWindowSigner(key),
        agreedWindowsFile: join(dataDir, AGREED_WINDOWS_FILE),
      });
      core = c;
      // The first record doubles as a write check: say so at once if the log can't be written.
      await audit.append('agent.started', { deviceId: options.deviceId, presence: options.presence ?? 'interactive', relayUrl: policy.relayUrl, relayUrls: relayUrlsOf(policy) }).catch((err: unknown) => {
        auditProblem ??= `the audit log in ${policy.auditDir ?? defaultAuditDir(dataDir)} cannot be written (${(err as Error).message}); every request will be declined`;
      });
      if (honoured.keptDamagedFile) {
        const detail = 'approvals issued before now are refused: their uses may have been lost';
        await audit.append('approvals.record-damaged', { keptAs: honoured.keptDamagedFile, detail }).catch(() => undefined);
      }
      if (auditProblem) options.ui.notify({ kind: 'info', title: 'Porchlight cannot record anything', body: auditProblem });
      // Before connecting: close what a crash or kill left open (a temporary admin account never outlives its
      // session) and record every session the log shows open as ended by agent-restart.
      if (auditLog) await c.recoverLeftOpen(auditLog.dir);
      const urls = relayUrlsOf(policy);
      if (urls.length === 0) {
        c.setConnection('not-configured');
        return;
      }
      const marker = join(dataDir, ENROLLED_MARKER);
      connection = new RelayConnection({
        urls,
        allowInsecure: policy.allowInsecureRelay,
        ...(policy.relayTlsPin ? { tlsPin: policy.relayTlsPin } : {}),
        deviceId: options.deviceId,
        deviceKey: key,
        ...(policy.relayPublicKey ? { relayPublicKey: policy.relayPublicKey } : {}),
        agentVersion: options.agentVersion ?? '0.1.0',
        enrollmentToken: () => (existsSync(marker) ? undefined : options.enrollmentToken),
        onWelcome: () => {
          if (options.enrollmentToken && !existsSync(marker)) writeFileSync(marker, `${new Date(clock.now()).toISOString()}\n`, { mode: 0o600 });
          for (const report of unacked.all()) connection?.send(lateMessage(report));
        },
        onBinary: (frame) => c.handleBinary(frame),
        onMessage: (msg) => {
          signer.observe(msg);
          if (msg.type === 'session.recorded') unacked.acknowledged(msg.re);
          if (msg.type === 'error' && msg.re !== undefined) {
            const again = unacked.refused(msg.re, msg.code);
            if (again) connection?.send(lateMessage(again));
          }
          void c.handle(msg);
        },
        onState: (state, info) => {
          if (state === 'connected') connectionProblem = undefined;
          c.setConnection(state, info.url);
          if (info.detail?.startsWith('relay refused')) options.ui.notify({ kind: 'info', title: 'The relay refused this device', body: info.detail });
          if (info.lost) void c.relayLost();
        },
        clock,
        ...(options.backoff ? { backoff: options.backoff } : {}),
        ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
        ...(options.silenceMs ? { silenceMs: options.silenceMs } : {}),
        ...(options.wsOptions ? { wsOptions: options.wsOptions } : {}),
        onConnectFailure: (failure) => {
          connectionProblem = failure.detail;
          statusUi.setStatus(status);
        },
        onKeyRevoked: (detail) => {
          // Not a network blip: retrying can't help, so say so once, plainly, and stop.
          connectionProblem = `this device's key was replaced on the relay (${detail}); Porchlight stopped connecting`;
          statusUi.setStatus(status);
          options.ui.notify({ kind: 'info', title: 'Porchlight was disconnected: this device was re-keyed', body: rekeyedNotice(detail) });
          void audit.append('agent.key-revoked', { detail }).catch(() => undefined);
        },
      });
      const started = connection.start();
      if (!started.ok) {
        c.setConnection('not-configured');
        options.ui.notify({ kind: 'info', title: 'Porchlight is not connected', body: started.detail });
        await audit.append('agent.config-problem', { detail: started.detail }).catch(() => undefined);
      }
    },
    async stop() {
      // End the session while the relay can still be told, then disconnect.
      await core?.stop();
      await connection?.stop();
      await auditLog?.append('agent.stopped', { deviceId: options.deviceId }).catch(() => undefined);
      await auditLog?.close();
    },
    revokeScope: (sessionId, scope) => core?.revokeScope(sessionId, scope) ?? Promise.resolve(false),
    endSession: (sessionId) => core?.endSession(sessionId) ?? Promise.resolve(false),
    revokeAgreedWindow: (windowId) => core?.revokeAgreedWindow(windowId) ?? Promise.resolve(false),
    sendUserMessage: (sessionId, text) => core?.sendUserMessage(sessionId, text) ?? Promise.resolve('no-session'),
    sendResolution: (answer) => core?.sendResolution(answer) ?? Promise.resolve('unknown-session'),
    status: () => status,
    grants: () => core?.grants() ?? [],
    devicePublicKey: () => publicKey,
    idle: () => core?.idle() ?? Promise.resolve(),
  };
}

/** Agreed windows and their cancellations, signed by this device's key (issue 20). */
function deviceWindowSigner(key: Ed25519KeyPair): WindowSigner {
  return {
    agreed: (w) => signAgreedWindow(w, key),
    revocation: (r) => signWindowRevocation(r, key),
    verify: (signed) => verifyAgreedWindowSignature(signed, key.publicKey),
  };
}

/** What the user reads when the relay drops this key after an admin's re-key. */
export function rekeyedNotice(detail: string): string {
  return (
    `The relay closed this device's connection: ${detail}. Porchlight stopped connecting: support sessions can't ` +
    'reach this device until IT enrolls it again. If you did not expect this, tell your IT department.'
  );
}

/** Remembers the status, and adds why the relay can't be reached while it can't. */
function wrapStatus(ui: UiPort, remember: (s: AgentStatus) => void, problem: () => string | undefined): UiPort {
  return {
    setStatus: (given) => {
      const { connectionProblem: _old, ...rest } = given;
      const why = given.connection === 'connected' ? undefined : problem();
      const s: AgentStatus = why === undefined ? rest : { ...rest, connectionProblem: why };
      remember(s);
      ui.setStatus(s);
    },
    showConsent: (v, signal) => ui.showConsent(v, signal),
    consentQueued: (promptId, queued) => ui.consentQueued?.(promptId, queued),
    showBanner: (v) => ui.showBanner(v),
    hideBanner: (id) => ui.hideBanner(id),
    showSummary: (v) => ui.showSummary(v),
    notify: (n) => ui.notify(n),
  };
}
