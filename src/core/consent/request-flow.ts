// A new session request: verify -> policy -> queue -> ask -> decide. The
// decision is recorded durably before it is reported, and only a grant the
// relay confirmed it recorded opens access and starts the session.
import { randomUUID } from 'node:crypto';
import type { ErrorCode } from '../../protocol/error-codes.js';
import { errorMessage } from '../../protocol/frame.js';
import type { AgreedWindow, Message, Outcome, SessionRequestPayload } from '../../protocol/messages.js';
import { sortScopes } from '../../protocol/scopes.js';
import type { Clock } from '../../shared/clock.js';
import type { RecordThenSend } from '../audit/record-then-send.js';
import type { GateSet } from '../access/gate-set.js';
import type { AuditFields } from '../../protocol/agent-audit-record.js';
import type { Policy } from '../policy/schema.js';
import type { DecisionAcks } from '../session/decision-acks.js';
import type { SessionController } from '../session/session-controller.js';
import type { UiPort } from '../ui-port.js';
import { guardedVerify, isVerificationFault } from '../verification/guarded-verify.js';
import type { ReplayCache } from '../verification/replay-cache.js';
import { verifySessionRequest, type VerifiedRequest } from '../verification/verify-request.js';
import type { AgreedWindows } from './agreed-windows.js';
import type { BlockNotices } from './block-notices.js';
import type { ConsentGate } from './consent-gate.js';
import { ConsentStateMachine, type ConsentState } from './consent-state.js';
import { itWordingOf, sessionConsentView } from './consent-view.js';
import { authorityFields } from './authority-record.js';
import { decisionMessage, grantedSession, type Decision } from './decision-message.js';
import { grantAfterAck } from './grant-after-ack.js';
import { technicianAuditFields } from './technician-audit-fields.js';
import type { HonouredApprovals } from '../verification/honoured-approvals.js';
import { applyApproval, awayReason, decisionFromPrompt, refuseIfUsedUp } from './approval-when-away.js';
import type { ScreenLockSensor } from './approval-when-away.js';
import { latencyMark } from '../../protocol/latency-marks.js';

/** A session request between arrival and decision, with the states it went through. */
interface QueuedConsentRequest {
  payload: SessionRequestPayload;
  consent: ConsentStateMachine;
  /** The request.received record: queued on arrival, durable before the decision's (the log keeps the order). */
  received: Promise<void>;
}

export interface RequestFlowDeps {
  policy: Policy;
  deviceId: string;
  clock: Clock;
  replay: ReplayCache;
  presence: 'interactive' | 'headless';
  /** Where the platform says the screen is locked (then a manager approval applies without a prompt). */
  screenLock?: ScreenLockSensor;
  /** Approvals this device has honoured, with their use counts. */
  honoured: HonouredApprovals;
  ui: UiPort;
  audited: RecordThenSend;
  sessions: SessionController;
  gate: ConsentGate;
  /** Access gates: they open a scope only after the relay recorded the decision granting it. */
  gates: GateSet;
  /** The relay's word that it recorded a granting decision. */
  acks: DecisionAcks;
  blockNotices: BlockNotices;
  /** Windows the user agreed to in advance (issue 20): inside one, a matching request starts without a prompt. */
  windows: AgreedWindows;
  newSessionId?: () => string;
  track: <T>(work: Promise<T>) => Promise<T>;
}

/** Requests refused for these reasons may be forged: their notice shows no field of the request. */
const SHOWS_REQUEST_FIELDS = new Set<ErrorCode>(['policy-blocked', 'bad-approval']);
const FORGED_NOTICE = 'A request that failed verification was blocked.';
const ANOTHER_SESSION: Decision = {
  outcome: 'declined',
  granted: [],
  decidedBy: 'policy',
  code: 'policy-blocked',
  detail: 'another session is live on this device',
};
const NOTHING: Pick<Decision, 'outcome' | 'granted'> = { outcome: 'declined', granted: [] };

const OUTCOME_STATE: Record<Outcome, ConsentState> = {
  accepted: 'accepted',
  partial: 'partial',
  declined: 'declined',
  expired: 'expired',
  blocked: 'blocked',
  'no-user-present': 'no-user-present',
};

export class RequestFlow {
  constructor(private readonly d: RequestFlowDeps) {}

  async onRequest(msg: Message<'session.request'>): Promise<void> {
    const p = msg.payload;
    // Not awaited: verifying and painting the prompt go on while the record is fsynced (the user never waits
    // for the disk before seeing who asks); the decision's record is queued after it and waits for it.
    const received = this.d.audited.recordOnly('request.received', {
      ...technicianAuditFields(p),
      msgId: msg.id,
      scopes: p.scopes,
      mode: p.mode,
      reason: p.reason,
      verificationCode: p.verificationCode,
      expiresAt: p.expiresAt,
      ...(p.contact ? { contact: p.contact } : {}),
      ...(p.maintenance ? { maintenance: p.maintenance } : {}),
    });
    const req: QueuedConsentRequest = { payload: p, consent: new ConsentStateMachine(), received };
    latencyMark('agent.request.queued', p.requestId);
    const ctx = { policy: this.d.policy, deviceId: this.d.deviceId, now: this.d.clock.now(), replay: this.d.replay };
    const v = guardedVerify(() => verifySessionRequest(msg, ctx));
    if (isVerificationFault(v))
      return this.decide(req, { ...NOTHING, decidedBy: v.decidedBy, code: v.code, detail: v.detail });
    if (!v.ok) {
      const { outcome, decidedBy, code, detail } = v.rejection;
      if (outcome === 'blocked') {
        const showsFields = SHOWS_REQUEST_FIELDS.has(code) && decidedBy === 'policy';
        const body = showsFields ? `A request for ticket ${p.ticket.id} was refused: ${detail}.` : FORGED_NOTICE;
        this.d.blockNotices.offer(p.technician.id, {
          kind: 'policy-block',
          title: 'Remote support request blocked',
          body,
        });
      }
      return this.decide(req, { outcome, granted: [], decidedBy, code, detail });
    }
    req.consent.to('verified');
    latencyMark('agent.request.verified', p.requestId);
    const verified = v.value;
    if (this.d.sessions.slotTaken) return this.decide(req, ANOTHER_SESSION);
    // Issue 20: the user agreed in advance to this technician, this ticket, these scopes (or more) at this time.
    const now = this.d.clock.now();
    const agreed =
      p.mode === 'attended' ? this.d.windows.covering(p.technician.id, p.ticket.id, p.scopes, now) : undefined;
    if (agreed) {
      const outcome = verified.blocked.length > 0 ? 'partial' : 'accepted';
      return this.decide(req, { outcome, granted: verified.allowed, decidedBy: 'agreed-window' }, agreed);
    }
    const token = p.mode === 'unattended' && p.approval?.kind === 'manager' ? p.approval.token : undefined;
    if (p.mode === 'unattended' && !token) {
      return this.decide(req, { outcome: 'accepted', granted: verified.allowed, decidedBy: 'emergency' });
    }
    if (token) {
      const usedUp = refuseIfUsedUp(this.d.honoured, token);
      if (usedUp) return this.decide(req, usedUp);
      const away = awayReason(this.d.presence, this.d.screenLock);
      if (away) return this.decide(req, applyApproval(this.d.honoured, token, verified.allowed, away));
    } else if (this.d.presence === 'headless') {
      const detail = 'nobody is logged in to answer an attended request';
      return this.decide(req, { outcome: 'no-user-present', granted: [], decidedBy: 'no-user', detail });
    }
    const run = (signal: AbortSignal) => this.prompt(req, verified, signal);
    const admission = this.d.gate.admit(p.technician.id, p.requestId, run, () => req.consent.to('queued'));
    if (!admission.admitted) {
      const { decidedBy, code, detail } = admission;
      return this.decide(req, { ...NOTHING, decidedBy, code, detail });
    }
  }

  async onCancel(msg: Message<'session.cancel'>): Promise<void> {
    if (this.d.gate.cancel(msg.requestId, 'cancelled')) return;
    this.d.audited.send(errorMessage('unknown-session', 'no pending request has that id', msg.id));
  }

  private async prompt(req: QueuedConsentRequest, v: VerifiedRequest, signal: AbortSignal): Promise<void> {
    const p = req.payload;
    const deadline = this.d.gate.deadline(Date.parse(p.expiresAt));
    if (!signal.aborted) req.consent.to('prompting');
    const policy = this.d.policy;
    const view = sessionConsentView(v, deadline, this.d.gate.waitingCount, itWordingOf(policy), policy.requireContact);
    latencyMark('agent.consent.asked', p.requestId);
    const result = await this.d.gate.ask(p.technician.id, view, signal, deadline);
    latencyMark('agent.decision.answered', p.requestId);
    if (p.mode === 'unattended' && p.approval?.kind === 'manager') {
      const answer = decisionFromPrompt(result, p.scopes);
      const { token } = p.approval;
      const d = answer === 'apply-approval' ? applyApproval(this.d.honoured, token, v.allowed, 'no-answer') : answer;
      return this.d.track(this.decide(req, d));
    }
    if (result.kind === 'declined') return this.d.track(this.decide(req, { ...NOTHING, decidedBy: result.decidedBy }));
    const granted = sortScopes(result.granted);
    if (granted.length === 0) return this.d.track(this.decide(req, { ...NOTHING, decidedBy: 'user' }));
    const outcome = granted.length === p.scopes.length ? 'accepted' : 'partial';
    return this.d.track(this.decide(req, { outcome, granted, decidedBy: 'user' }));
  }

  /**
   * Record the decision durably, then report it; a grant opens access and starts the session only once the
   * relay says it recorded the decision (grant-after-ack.ts).
   */
  private async decide(req: QueuedConsentRequest, decision: Decision, agreed?: AgreedWindow): Promise<void> {
    const p = req.payload;
    const now = this.d.clock.now();
    let d = decision;
    let granted = sortScopes(d.granted.filter((s) => p.scopes.includes(s)));
    if (granted.length > 0 && this.d.sessions.slotTaken) {
      d = ANOTHER_SESSION;
      granted = [];
    }
    const minutes = Math.min(p.estimatedMinutes, this.d.policy.maxSessionMinutes);
    const newId = this.d.newSessionId ?? (() => `ses-${randomUUID()}`);
    const live =
      granted.length > 0 ? grantedSession(p, newId(), this.d.deviceId, d.outcome, granted, now, minutes) : undefined;
    // Reserve the session slot now so no second grant can slip in while we write and wait for the relay.
    if (live) this.d.sessions.reserve(live);
    const msg = decisionMessage(p, d, granted, now, live ? { sessionId: live.id, minutes } : undefined);
    const fields = {
      ...technicianAuditFields(p),
      outcome: msg.outcome,
      granted,
      declined: msg.declined,
      decidedBy: d.decidedBy,
      code: d.code,
      detail: d.detail,
      ...authorityFields(p),
      ...(agreed ? { agreedWindow: windowFields(agreed) } : {}),
      sessionId: live?.id,
      ...(d.approvalPath ? { approvalPath: d.approvalPath } : {}),
      states: [...req.consent.history, OUTCOME_STATE[d.outcome]],
    };
    // Waiting starts before the decision is sent, so the relay's answer can't come first.
    const ack = live ? this.d.acks.expect(msg.id) : undefined;
    await req.received;
    if (!(await this.d.audited.record('consent.decision', fields, msg))) {
      if (live) {
        this.d.acks.forget(msg.id);
        this.d.sessions.release(live);
      }
      req.consent.to('declined');
      this.d.audited.send({
        ...msg,
        outcome: 'declined',
        granted: [],
        declined: [...p.scopes],
        decidedBy: 'audit-failure',
        code: 'audit-unavailable',
        detail: 'the audit log could not be written; nothing was granted',
        sessionId: undefined,
        grantedMinutes: undefined,
      });
      return;
    }
    req.consent.to(OUTCOME_STATE[d.outcome]);
    if (live && ack) {
      await grantAfterAck(this.d, p, live, minutes, await ack);
      if (agreed && this.d.sessions.liveWithId(live.id)) {
        const body =
          `${p.technician.name} connected for ticket ${p.ticket.id}, in the window you agreed to. ` +
          'End it from the banner at any time.';
        this.d.ui.notify({ kind: 'info', title: 'Remote support session started', body });
      }
    } else if (d.decidedBy !== 'user' && d.decidedBy !== 'verification' && d.decidedBy !== 'policy') {
      const body = `${p.technician.name} asked for ticket ${p.ticket.id}; declined (${d.decidedBy}).`;
      this.d.ui.notify({ kind: 'request-declined', title: 'Remote support request declined', body });
    }
  }
}

/** What the device log keeps of the window a request started in. */
function windowFields(w: AgreedWindow): AuditFields {
  return { windowId: w.windowId, startsAt: w.startsAt, endsAt: w.endsAt, scopes: w.scopes };
}
