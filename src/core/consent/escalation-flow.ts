// A mid-session request for more access (or more time): verify, refuse
// without a prompt where policy or earlier answers say so, otherwise the same
// budget and queue as new requests, then fresh consent. Recorded before granted.
import type { ErrorCode } from '../../protocol/error-codes.js';
import { errorMessage } from '../../protocol/frame.js';
import type { DecidedBy, Message } from '../../protocol/messages.js';
import { sortScopes, type Scope } from '../../protocol/scopes.js';
import type { Clock } from '../../shared/clock.js';
import type { RecordThenSend } from '../audit/record-then-send.js';
import type { GateSet } from '../access/gate-set.js';
import { gateSessionOf } from '../access/gate-session.js';
import type { Policy } from '../policy/schema.js';
import type { DecisionAck, DecisionAcks } from '../session/decision-acks.js';
import type { LiveSession } from '../session/live-session.js';
import type { SessionController } from '../session/session-controller.js';
import { scopeUpdateMessage, sessionFields, type ScopeChange } from '../session/session-messages.js';
import type { UiPort } from '../ui-port.js';
import { guardedVerify, isVerificationFault } from '../verification/guarded-verify.js';
import type { ReplayCache } from '../verification/replay-cache.js';
import { verifyScopeRequest, type VerifiedEscalation } from '../verification/verify-scope-request.js';
import type { ConsentGate } from './consent-gate.js';
import { escalationConsentView, INPUT_SCOPES, itWordingOf } from './consent-view.js';
import { UNCONFIRMED } from './grant-after-ack.js';

/**
 * An escalation while the technician holds `control` or `admin`: ask for the
 * confirmation code (default), or decline without a prompt where the dialog
 * is not hidden from the remote viewer (Linux), so the code would not be secret.
 */
export type EscalationWhileControlled = 'confirm-code' | 'decline';

export interface EscalationFlowDeps {
  policy: Policy;
  deviceId: string;
  clock: Clock;
  replay: ReplayCache;
  presence: 'interactive' | 'headless';
  ui: UiPort;
  audited: RecordThenSend;
  sessions: SessionController;
  gate: ConsentGate;
  /** Access gates: an added scope is reported granted only once they applied it. */
  gates: GateSet;
  /** The relay's word that it recorded the change: only then does the added access take effect. */
  acks: DecisionAcks;
  escalationWhileControlled?: EscalationWhileControlled;
  confirmCode?: () => string;
  track: <T>(work: Promise<T>) => Promise<T>;
}

/** Audit detail and user notice when escalations stop being asked for; fixed texts, nothing from the request. */
const CODE_MISMATCH_DETAIL = 'confirmation code mismatch';
const CODE_MISMATCH_NOTICE =
  'A request for more access was refused: the confirmation code was wrong. If you did not type it, end the session.';
const CONTROLLED_DETAIL = 'end the session or revoke control first';
const CONTROLLED_NOTICE =
  'A request for more access was refused while the technician controls this computer. ' +
  'To allow more, end the session or revoke control first.';

type Refusal = { decidedBy: DecidedBy; code: ErrorCode; detail: string };
type Answer = { kind: 'answer'; granted: Scope[] } | { kind: 'declined'; decidedBy: DecidedBy };

const CODE_MISMATCH: Refusal = { decidedBy: 'policy', code: 'policy-blocked', detail: CODE_MISMATCH_DETAIL };
const CONTROLLED: Refusal = { decidedBy: 'policy', code: 'policy-blocked', detail: CONTROLLED_DETAIL };

export class EscalationFlow {
  /** Sessions that got a wrong confirmation code: no more escalation prompts in them. */
  private readonly codeFailed = new Set<string>();
  /** Notices already shown in the live session, so a scripted technician can't flood the desktop. */
  private readonly noticesShown = new Set<string>();

  constructor(private readonly d: EscalationFlowDeps) {
    d.sessions.onEnded((sessionId) => {
      this.codeFailed.delete(sessionId);
      this.noticesShown.clear();
    });
  }

  async onScopeRequest(msg: Message<'session.scope-request'>): Promise<void> {
    const p = msg.payload;
    const live = this.d.sessions.live;
    await this.d.audited.recordOnly('escalation.received', {
      requestId: p.requestId,
      sessionId: p.sessionId,
      technicianId: p.technician.id,
      ticketId: live?.init.ticket.id,
      scopes: p.scopes,
      extendMinutes: p.extendMinutes,
      reason: p.reason,
      msgId: msg.id,
    });
    const ctx = { policy: this.d.policy, deviceId: this.d.deviceId, now: this.d.clock.now(), replay: this.d.replay };
    const ref = live && { sessionId: live.id, technicianId: live.init.technician.id, granted: live.grantedScopes() };
    const checked = guardedVerify(() => verifyScopeRequest(msg, ctx, ref));
    const v = isVerificationFault(checked) ? { ok: false as const, rejection: checked } : checked;
    if (!v.ok) {
      const { code, detail } = v.rejection;
      if (live && live.id === p.sessionId) {
        const update = scopeUpdateMessage(live, 'escalation-declined', p.scopes, p.requestId);
        const fields = { ...sessionFields(live), requestId: p.requestId, change: 'escalation-declined', code, detail };
        await this.d.audited.record('escalation.decision', fields, update);
      } else {
        const fields = { requestId: p.requestId, sessionId: p.sessionId, code, detail };
        await this.d.audited.record('escalation.blocked', fields, errorMessage(code, detail, msg.id));
      }
      return;
    }
    if (this.d.presence === 'headless') return this.finish(v.value, { kind: 'declined', decidedBy: 'no-user' });
    const s = this.d.sessions.liveWithId(p.sessionId);
    if (!s) return;
    // A wrong code was typed in this session: someone may be guessing, so never ask again
    // (each prompt would be 3 more tries).
    if (this.codeFailed.has(s.id)) return this.refuse(v.value, s, CODE_MISMATCH, CODE_MISMATCH_NOTICE);
    if (this.d.escalationWhileControlled === 'decline' && INPUT_SCOPES.some((x) => s.granted.has(x))) {
      return this.refuse(v.value, s, CONTROLLED, CONTROLLED_NOTICE);
    }
    // The same per-technician budget and queue as new requests.
    const admission = this.d.gate.admit(p.technician.id, p.requestId, (signal) => this.prompt(v.value, signal));
    if (admission.admitted) return;
    if (admission.decidedBy === 'queue-full') {
      return this.finish(v.value, { kind: 'declined', decidedBy: 'queue-full' });
    }
    const { decidedBy, code, detail } = admission;
    return this.refuse(v.value, s, { decidedBy, code, detail });
  }

  /** Decline an escalation without a prompt, and tell the user once per session when `notice` is given. */
  private async refuse(v: VerifiedEscalation, s: LiveSession, why: Refusal, notice?: string): Promise<void> {
    if (this.d.sessions.live !== s) return;
    const p = v.payload;
    const refused = sortScopes(p.scopes.filter((x) => !s.granted.has(x)));
    const update = scopeUpdateMessage(s, 'escalation-declined', refused, p.requestId);
    const change = 'escalation-declined';
    const fields = { ...sessionFields(s), requestId: p.requestId, change, scopes: refused, ...why };
    await this.d.audited.record('escalation.decision', fields, update);
    if (notice === undefined || this.noticesShown.has(notice) || this.d.sessions.live !== s) return;
    this.noticesShown.add(notice);
    this.d.ui.notify({ kind: 'policy-block', title: 'Request for more access refused', body: notice });
  }

  private async prompt(v: VerifiedEscalation, signal: AbortSignal): Promise<void> {
    const s = this.d.sessions.liveWithId(v.payload.sessionId);
    if (!s) return;
    const deadline = this.d.gate.deadline(Date.parse(v.payload.expiresAt), s.endsAt);
    const queued = this.d.gate.waitingCount;
    const wording = itWordingOf(this.d.policy);
    const view = escalationConsentView(v.payload, v.added, v.blocked, s, deadline, queued, this.d.confirmCode, wording);
    const result = await this.d.gate.ask(v.payload.technician.id, view, signal, deadline);
    if (result.kind === 'declined' && result.codeMismatch) {
      this.codeFailed.add(s.id);
      return this.d.track(this.refuse(v, s, CODE_MISMATCH, CODE_MISMATCH_NOTICE));
    }
    await this.d.track(this.finish(v, result.kind === 'answer' ? { kind: 'answer', granted: result.granted } : result));
  }

  private async finish(v: VerifiedEscalation, result: Answer): Promise<void> {
    const p = v.payload;
    const s = this.d.sessions.liveWithId(p.sessionId);
    if (!s) return;
    const answered = result.kind === 'answer' && result.granted.length > 0;
    const consented = result.kind === 'answer' ? v.added.filter((x) => result.granted.includes(x)) : [];
    const added = await this.applyThroughGates(s, consented);
    if (this.d.sessions.live !== s) return this.closeIfEnded(s, added);
    const maxMinutes = this.d.policy.maxSessionMinutes;
    const extend = answered && p.extendMinutes !== undefined ? Math.min(p.extendMinutes, maxMinutes) : 0;
    const change = changeOf(v.added.length, added.length, extend);
    if (change === 'escalation-declined') {
      const refused = sortScopes([...p.scopes.filter((x) => !s.granted.has(x))]);
      const decidedBy = result.kind === 'declined' ? result.decidedBy : 'user';
      const gateFailed = added.length < consented.length ? { code: 'gate-failed' } : {};
      const fields = { ...sessionFields(s), requestId: p.requestId, change, scopes: refused, decidedBy, ...gateFailed };
      await this.d.audited.record('escalation.decision', fields, scopeUpdateMessage(s, change, refused, p.requestId));
      return;
    }
    // Record first; only a durable record turns into a grant.
    const endsAt = s.endsAt + extend * 60_000;
    const after: Message<'session.scope-update'> = {
      ...scopeUpdateMessage(s, change, added, p.requestId),
      granted: sortScopes([...s.grantedScopes(), ...added]),
      endsAt: new Date(endsAt).toISOString(),
    };
    const fields = {
      ...sessionFields(s),
      requestId: p.requestId,
      change,
      scopes: added,
      granted: after.granted,
      extendMinutes: extend || undefined,
      endsAt: after.endsAt,
      decidedBy: 'user',
    };
    // Waiting starts before the change is sent, so the relay's answer can't come first.
    const ack = this.d.acks.expect(after.id);
    if (!(await this.d.audited.record('escalation.decision', fields, after))) {
      this.d.acks.forget(after.id);
      for (const scope of added) await this.d.gates.revoke(gateSessionOf(s), scope);
      this.d.audited.send(scopeUpdateMessage(s, 'escalation-declined', p.scopes, p.requestId));
      return;
    }
    // As for a new session's grant (issue 18): the added access takes effect only once the central audit has it.
    const word = await ack;
    if (word.kind !== 'recorded') return this.unconfirmed(s, p.requestId, added, word);
    if (!this.d.sessions.applyEscalation(s, added, endsAt)) await this.closeIfEnded(s, added);
  }

  /**
   * The relay did not confirm the change: close what the gates opened, keep the session as it was, and tell the
   * relay (which may hold the change, if only its answer was lost) that those scopes are not granted.
   */
  private async unconfirmed(
    s: LiveSession,
    requestId: string,
    added: readonly Scope[],
    word: Exclude<DecisionAck, { kind: 'recorded' }>,
  ): Promise<void> {
    for (const scope of added) await this.d.gates.revoke(gateSessionOf(s), scope);
    if (this.d.sessions.live !== s) return;
    const cannotWrite = word.kind === 'refused' && word.code === 'audit-unavailable';
    const why = cannotWrite ? 'the relay could not record it' : 'the relay did not confirm it';
    const reason = `${UNCONFIRMED}: ${why}; nothing more was granted`;
    const scopes = [...added];
    // A relay that could not write holds nothing and forwarded nothing; one that went quiet may hold the change.
    const back = cannotWrite || scopes.length === 0 ? undefined : scopeUpdateMessage(s, 'revoked', scopes, requestId);
    const code = word.kind === 'refused' ? { code: word.code } : {};
    const fields = { ...sessionFields(s), requestId, scopes, reason, granted: s.grantedScopes(), ...code };
    await this.d.audited.record('escalation.unconfirmed', fields, back, { sendOnFailure: true });
    this.d.ui.notify({ kind: 'request-declined', title: 'Request for more access declined', body: `${reason}.` });
  }

  /** The scopes among `scopes` that every gate applied (failures are audited and told by the gates). */
  private async applyThroughGates(s: LiveSession, scopes: readonly Scope[]): Promise<Scope[]> {
    if (scopes.length === 0 || !this.d.gates.anyGates) return [...scopes];
    return (await this.d.gates.grant(gateSessionOf(s), scopes)).applied;
  }

  /** The session ended while gates ran: close what they just opened, which its end could not see. */
  private async closeIfEnded(s: LiveSession, opened: readonly Scope[]): Promise<void> {
    for (const scope of opened) await this.d.gates.revoke(gateSessionOf(s), scope);
    if (opened.length > 0) await this.d.gates.end(gateSessionOf(s));
  }
}

function changeOf(offered: number, accepted: number, extendMinutes: number): ScopeChange {
  if (offered === 0) return extendMinutes > 0 ? 'extended' : 'escalation-declined';
  if (accepted === offered) return 'escalation-accepted';
  return accepted > 0 ? 'escalation-partial' : 'escalation-declined';
}
