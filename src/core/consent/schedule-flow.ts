// A window proposed in advance (issue 20): verify -> policy -> queue -> ask
// "Agree?" -> decide. The prompt takes the same path as a session request
// (per-technician budget, bounded queue, timeout, the dialog's safety rules);
// an agreed window is signed by the device key, kept, recorded durably and
// only then reported. The user can cancel it at any time (revoke).
import { randomUUID } from 'node:crypto';
import type { ErrorCode } from '../../protocol/error-codes.js';
import type {
  AgreedWindow,
  DecidedBy,
  Message,
  ScheduleOutcome,
  ScheduleRequestPayload,
  SignedAgreedWindow,
  WindowRevocation,
} from '../../protocol/messages.js';
import { agreedWindowFor } from '../../protocol/messages.js';
import { sortScopes } from '../../protocol/scopes.js';
import type { Clock } from '../../shared/clock.js';
import type { ConsentView } from '../../shared/view-models.js';
import type { RecordThenSend } from '../audit/record-then-send.js';
import type { Policy } from '../policy/schema.js';
import type { UiPort } from '../ui-port.js';
import { guardedVerify, isVerificationFault } from '../verification/guarded-verify.js';
import type { ReplayCache } from '../verification/replay-cache.js';
import { verifyScheduleRequest, type VerifiedSchedule } from '../verification/verify-schedule-request.js';
import type { AgreedWindows } from './agreed-windows.js';
import type { ConsentGate } from './consent-gate.js';
import { itWordingOf } from './consent-view.js';
import { technicianAuditFields } from './technician-audit-fields.js';

/** How the device key signs what the user agreed to and what they cancelled. */
export interface WindowSigner {
  agreed(window: AgreedWindow): SignedAgreedWindow;
  revocation(revocation: WindowRevocation): string;
  /** Whether this device's key signed a window (windows loaded from disk are checked). */
  verify(signed: SignedAgreedWindow): boolean;
}

export interface ScheduleFlowDeps {
  policy: Policy;
  deviceId: string;
  clock: Clock;
  replay: ReplayCache;
  presence: 'interactive' | 'headless';
  ui: UiPort;
  audited: RecordThenSend;
  gate: ConsentGate;
  windows: AgreedWindows;
  signer: WindowSigner | undefined;
  statusChanged: () => void;
  track: <T>(work: Promise<T>) => Promise<T>;
  newWindowId?: () => string;
}

interface Answer {
  outcome: ScheduleOutcome;
  decidedBy: DecidedBy;
  code?: ErrorCode;
  detail?: string;
}

export function scheduleConsentView(
  v: VerifiedSchedule,
  expiresAt: number,
  queued: number,
  policy: Policy,
): ConsentView {
  const p = v.payload;
  const wording = itWordingOf(policy);
  const minutes = Math.min(24 * 60, Math.max(1, Math.round((Date.parse(p.endsAt) - Date.parse(p.startsAt)) / 60_000)));
  return {
    ...(wording ? { itWording: wording } : {}),
    promptId: p.requestId,
    kind: 'schedule',
    window: { startsAt: p.startsAt, endsAt: p.endsAt },
    technician: p.technician,
    ticket: p.ticket,
    reason: p.reason,
    scopes: v.allowed as ConsentView['scopes'],
    blockedScopes: v.blocked,
    mode: { kind: 'attended' },
    estimatedMinutes: minutes,
    verificationCode: p.verificationCode,
    expiresAt: new Date(expiresAt).toISOString(),
    queued: Math.min(queued, 100),
  };
}

export class ScheduleFlow {
  constructor(private readonly d: ScheduleFlowDeps) {}

  async onRequest(msg: Message<'schedule.request'>): Promise<void> {
    const p = msg.payload;
    await this.d.audited.recordOnly('schedule.received', {
      ...fieldsOf(p),
      msgId: msg.id,
      reason: p.reason,
      verificationCode: p.verificationCode,
      expiresAt: p.expiresAt,
    });
    const ctx = { policy: this.d.policy, deviceId: this.d.deviceId, now: this.d.clock.now(), replay: this.d.replay };
    const v = guardedVerify(() => verifyScheduleRequest(msg, ctx));
    if (isVerificationFault(v)) {
      return this.answer(p, { outcome: 'blocked', decidedBy: v.decidedBy, code: v.code, detail: v.detail });
    }
    if (!v.ok) {
      const { outcome, decidedBy, code, detail } = v.rejection;
      return this.answer(p, { outcome, decidedBy, code, detail });
    }
    if (!this.d.signer) {
      const detail = 'this agent cannot sign agreed windows';
      return this.answer(p, { outcome: 'blocked', decidedBy: 'policy', code: 'policy-blocked', detail });
    }
    if (this.d.presence === 'headless') {
      const detail = 'nobody is logged in to agree to a window';
      return this.answer(p, { outcome: 'no-user-present', decidedBy: 'no-user', detail });
    }
    const run = (signal: AbortSignal) => this.prompt(v.value, signal);
    const admission = this.d.gate.admit(p.technician.id, p.requestId, run);
    if (!admission.admitted) {
      const { decidedBy, code, detail } = admission;
      return this.answer(p, { outcome: 'declined', decidedBy, code, detail });
    }
  }

  /** The user cancelled a window (tray): signed, recorded, reported. False when there is no such window (any more). */
  async revoke(windowId: string): Promise<boolean> {
    const now = this.d.clock.now();
    const w = this.d.windows.remove(windowId, now);
    if (!w || !this.d.signer) return false;
    this.d.statusChanged();
    const revokedAt = new Date(now).toISOString();
    const revocation: WindowRevocation = { windowId, deviceId: this.d.deviceId, revokedAt };
    const sig = this.d.signer.revocation(revocation);
    const id = `rev-${randomUUID()}`;
    const msg: Message<'schedule.revoked'> = { v: 1, type: 'schedule.revoked', id, revocation, sig };
    // Cancelling only takes access away: it goes to the relay even if the log can't be written.
    const fields = { windowId, ticketId: w.ticketId, technicianId: w.technicianId, revokedAt };
    await this.d.audited.record('window.revoked', fields, msg, { sendOnFailure: true });
    return true;
  }

  private async prompt(v: VerifiedSchedule, signal: AbortSignal): Promise<void> {
    const p = v.payload;
    const deadline = this.d.gate.deadline(Date.parse(p.expiresAt));
    const view = scheduleConsentView(v, deadline, this.d.gate.waitingCount, this.d.policy);
    const result = await this.d.gate.ask(p.technician.id, view, signal, deadline);
    if (result.kind === 'declined') {
      return this.d.track(this.answer(p, { outcome: 'declined', decidedBy: result.decidedBy }));
    }
    const agreed = sortScopes(result.granted.filter((s) => v.allowed.includes(s)));
    if (agreed.length === 0) return this.d.track(this.answer(p, { outcome: 'declined', decidedBy: 'user' }));
    return this.d.track(this.agree(p, agreed));
  }

  private async agree(p: ScheduleRequestPayload, scopes: AgreedWindow['scopes']): Promise<void> {
    const now = this.d.clock.now();
    const windowId = this.d.newWindowId?.() ?? `win-${randomUUID()}`;
    const agreedAt = new Date(now).toISOString();
    const window = agreedWindowFor(p, { windowId, deviceId: this.d.deviceId, scopes, agreedAt });
    const signed = this.d.signer!.agreed(window);
    if (!this.d.windows.add(signed, now)) {
      const detail = 'too many agreed windows are kept on this device; cancel one first';
      return this.answer(p, { outcome: 'blocked', decidedBy: 'policy', code: 'policy-blocked', detail });
    }
    const recorded = await this.decide(p, { outcome: 'agreed', decidedBy: 'user' }, signed);
    // Never honour a window the device's own log does not have.
    if (!recorded) {
      this.d.windows.remove(window.windowId, now);
      return;
    }
    this.d.statusChanged();
  }

  private async answer(p: ScheduleRequestPayload, a: Answer): Promise<void> {
    await this.decide(p, a);
  }

  /** Record durably, then report; false when the record could not be written. */
  private async decide(p: ScheduleRequestPayload, a: Answer, agreed?: SignedAgreedWindow): Promise<boolean> {
    const decidedAt = new Date(this.d.clock.now()).toISOString();
    const msg: Message<'schedule.decision'> = {
      v: 1,
      type: 'schedule.decision',
      id: `sd-${randomUUID()}`,
      requestId: p.requestId,
      outcome: a.outcome,
      decidedBy: a.decidedBy,
      decidedAt,
      ...(a.code ? { code: a.code } : {}),
      ...(a.detail ? { detail: a.detail } : {}),
      ...(agreed ? { agreed } : {}),
    };
    const fields = {
      ...fieldsOf(p),
      outcome: a.outcome,
      decidedBy: a.decidedBy,
      code: a.code,
      detail: a.detail,
      ...(agreed ? { windowId: agreed.window.windowId, agreedScopes: agreed.window.scopes } : {}),
      ...(agreed ? { windowSig: agreed.sig } : {}),
    };
    const ok = await this.d.audited.record('schedule.decision', fields, msg);
    if (!ok && !agreed) this.d.audited.send(msg);
    if (!ok && agreed) {
      const detail = 'the audit log could not be written; nothing was agreed';
      const refused = { outcome: 'declined', decidedBy: 'audit-failure', code: 'audit-unavailable', detail } as const;
      this.d.audited.send({ ...msg, ...refused, agreed: undefined });
    }
    return ok;
  }
}

function fieldsOf(p: ScheduleRequestPayload) {
  return {
    ...technicianAuditFields(p),
    scopes: p.scopes,
    startsAt: p.startsAt,
    endsAt: p.endsAt,
  };
}
