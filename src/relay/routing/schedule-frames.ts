// Windows the user agrees to in advance (issue 20), on the relay: a
// technician's proposal is checked, audited, signed and forwarded like a
// session request; the device's answer is accepted only for a proposal it was
// sent, and an agreed window only when the enrolled device key signed it for
// exactly what was proposed. Agreed windows are kept in storage; a
// cancellation by the user is checked the same way, kept and audited, then
// passed to the technician who asked, while connected.
import type { ErrorCode } from '../../protocol/error-codes.js';
import { errorMessage, newMessageId } from '../../protocol/frame.js';
import type { AgreedWindow, Message, ScheduleRequestPayload } from '../../protocol/messages.js';
import {
  signScheduleRequest,
  verifyAgreedWindowSignature,
  verifyWindowRevocationSignature,
} from '../../protocol/signed-messages.js';
import type { SignedInTechnician } from '../accounts/technician-sign-in.js';
import type { Peer } from '../peer.js';
import { buildScheduleRequest } from '../schedule-request-builder.js';
import { clockSkewRefusalText } from './clock-skew-refusals.js';
import type { RoutingContext } from './routing-context.js';

/** Proposals waiting for the user's answer, and agreed windows whose technician hears a cancellation (newest kept). */
export const MAX_PENDING_SCHEDULES = 1000;
export const MAX_PENDING_SCHEDULES_PER_TECHNICIAN = 5;
const REMEMBERED_WINDOWS = 1000;

interface PendingSchedule {
  peer: Peer;
  technicianId: string;
  payload: ScheduleRequestPayload;
  timer: unknown;
}

function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}

/** The window says what the relay proposed: device, request, nonce, technician, ticket, time; at most its scopes. */
function windowMismatch(w: AgreedWindow, p: ScheduleRequestPayload): string | null {
  if (w.deviceId !== p.deviceId || w.requestId !== p.requestId || w.nonce !== p.nonce) {
    return 'the agreed window is bound to another request';
  }
  if (w.technicianId !== p.technician.id || w.ticketId !== p.ticket.id) {
    return 'the agreed window names another technician or ticket';
  }
  if (w.startsAt !== p.startsAt || w.endsAt !== p.endsAt) return 'the agreed window has other times than proposed';
  if (!w.scopes.every((s) => p.scopes.includes(s))) return 'the agreed window has scopes that were not proposed';
  return null;
}

export class ScheduleFrames {
  private readonly pending = new Map<string, PendingSchedule>();
  private readonly askedBy = new Map<string, Peer>();

  constructor(private readonly ctx: RoutingContext) {}

  /** Technician -> relay: a proposed window. */
  async propose(peer: Peer, tech: SignedInTechnician, msg: Message<'tech.schedule'>): Promise<void> {
    const { audit, clock, directory } = this.ctx;
    const base = { ticketId: msg.ticket.id, deviceId: msg.deviceId, technicianId: tech.id };
    const refuse = async (code: ErrorCode, detail: string) => {
      await audit.record('rejected', base, { action: 'tech.schedule', code, detail });
      peer.send(errorMessage(code, detail, msg.id));
    };
    const mine = [...this.pending.values()].filter((p) => p.technicianId === tech.id).length;
    if (mine >= MAX_PENDING_SCHEDULES_PER_TECHNICIAN || this.pending.size >= MAX_PENDING_SCHEDULES) {
      return refuse('rate-limited', 'too many proposed windows are waiting for an answer');
    }
    const built = buildScheduleRequest(msg, tech, clock.now(), this.ctx.lifetimeMs, this.ctx.random);
    if (!built.ok) return refuse(built.code, built.detail);
    const agent = directory.agent(msg.deviceId);
    if (!agent) {
      const offsetMs = this.ctx.clockSkew.recentOffset(msg.deviceId, clock.now());
      if (offsetMs !== undefined) return refuse('agent-clock-skew', clockSkewRefusalText(msg.deviceId, offsetMs));
      return refuse('agent-offline', `device ${msg.deviceId} is not connected`);
    }
    const p = built.payload;
    const { technician, ticket, scopes, reason, startsAt, endsAt, issuedAt, expiresAt } = p;
    const data = { technician, ticket, scopes, reason, startsAt, endsAt, issuedAt, expiresAt };
    await audit.record('schedule-request', { ...base, requestId: p.requestId }, data);
    const timer = clock.after(this.ctx.lifetimeMs + clock.graceMs, () => void this.overdue(p.requestId));
    this.pending.set(p.requestId, { peer, technicianId: tech.id, payload: p, timer });
    const { requestId, deviceId, verificationCode } = p;
    peer.send({ v: 1, type: 'session.pending', id: newMessageId(), requestId, deviceId, verificationCode, expiresAt });
    agent.send(signScheduleRequest(p, this.ctx.relayKey));
  }

  /** Agent -> relay: the user's answer. */
  async decided(peer: Peer, deviceId: string, msg: Message<'schedule.decision'>): Promise<void> {
    const entry = this.pending.get(msg.requestId);
    if (!entry || entry.payload.deviceId !== deviceId) {
      return peer.send(errorMessage('unknown-session', 'no proposed window for this device has that id', msg.id));
    }
    const p = entry.payload;
    const { technicianId } = entry;
    const where = { ticketId: p.ticket.id, deviceId, technicianId, requestId: p.requestId, sessionId: null };
    let agreed: (NonNullable<Message<'schedule.decision'>['agreed']> & { devicePublicKey: string }) | undefined;
    if (msg.outcome === 'agreed' || msg.agreed) {
      const device = await this.ctx.storage.getDevice(deviceId);
      const w = msg.agreed;
      const problem = !w
        ? 'an agreed window carries the signed window'
        : !device || !verifyAgreedWindowSignature(w, device.publicKey)
          ? 'the agreed window is not signed by the enrolled device key'
          : msg.outcome !== 'agreed'
            ? 'only an agreed window carries a signed window'
            : windowMismatch(w.window, p);
      if (problem || !w || !device) {
        const refused = { action: 'schedule.decision', code: 'bad-signature', detail: problem ?? 'unsigned' } as const;
        await this.ctx.audit.record('rejected', where, refused);
        return peer.send(errorMessage('bad-signature', problem ?? 'unsigned', msg.id));
      }
      agreed = { ...w, devicePublicKey: device.publicKey };
    }
    this.drop(msg.requestId);
    const { outcome, decidedBy, decidedAt, code, detail } = msg;
    await this.ctx.audit.record('schedule-decision', where, {
      outcome,
      decidedBy,
      decidedAt,
      ...(code ? { code } : {}),
      ...(detail ? { detail } : {}),
      ...(agreed ? { agreed } : {}),
      ...(msg.audit ? { agentAudit: { seq: msg.audit.seq, hash: msg.audit.hash } } : {}),
    });
    if (msg.agreed) {
      await this.ctx.storage.addAgreedWindow(msg.agreed);
      remember(this.askedBy, msg.agreed.window.windowId, entry.peer, REMEMBERED_WINDOWS);
    }
    entry.peer.send(msg);
  }

  /** Agent -> relay: the user cancelled an agreed window. */
  async revoked(peer: Peer, deviceId: string, msg: Message<'schedule.revoked'>): Promise<void> {
    const { windowId, revokedAt } = msg.revocation;
    const device = await this.ctx.storage.getDevice(deviceId);
    const where = { ticketId: null, deviceId, technicianId: null, requestId: null, sessionId: null };
    if (msg.revocation.deviceId !== deviceId || !device || !verifyWindowRevocationSignature(msg, device.publicKey)) {
      const detail = 'the cancellation is not signed by this device';
      await this.ctx.audit.record('rejected', where, { action: 'schedule.revoked', code: 'bad-signature', detail });
      return peer.send(errorMessage('bad-signature', detail, msg.id));
    }
    const stored = await this.ctx.storage.listAgreedWindows(deviceId);
    const known = stored.find((w) => w.signed.window.windowId === windowId);
    if (!known) {
      return peer.send(errorMessage('unknown-session', 'no agreed window of this device has that id', msg.id));
    }
    // Cancelled before: once is enough.
    if (!(await this.ctx.storage.revokeAgreedWindow(windowId, deviceId, revokedAt))) return;
    const w = known.signed.window;
    const ctx = { ...where, ticketId: w.ticketId, technicianId: w.technicianId, requestId: w.requestId };
    const anchor = msg.audit ? { agentAudit: { seq: msg.audit.seq, hash: msg.audit.hash } } : {};
    const data = { windowId, revokedAt, sig: msg.sig, devicePublicKey: device.publicKey, ...anchor };
    await this.ctx.audit.record('window-revoked', ctx, data);
    this.askedBy.get(windowId)?.send(msg);
  }

  /** A technician connection is gone: nothing more is sent to it (its proposals still get their answer recorded). */
  technicianLost(peer: Peer): void {
    for (const [id, p] of this.askedBy) if (p === peer) this.askedBy.delete(id);
  }

  /** No answer in time: the relay's own `expired`, recorded and told to the technician. */
  private async overdue(requestId: string): Promise<void> {
    const entry = this.pending.get(requestId);
    if (!entry) return;
    this.drop(requestId);
    const p = entry.payload;
    const decidedAt = new Date(this.ctx.clock.now()).toISOString();
    const { technicianId } = entry;
    const where = { ticketId: p.ticket.id, deviceId: p.deviceId, technicianId, requestId, sessionId: null };
    const detail = 'no answer from the device in time';
    try {
      const data = { outcome: 'expired', decidedBy: 'timeout', decidedAt, detail } as const;
      await this.ctx.audit.record('schedule-decision', where, data);
    } catch {
      // The storage is gone (shutdown): the technician still hears it.
    }
    const answer = { requestId, outcome: 'expired', decidedBy: 'timeout', decidedAt, detail } as const;
    entry.peer.send({ v: 1, type: 'schedule.decision', id: newMessageId(), ...answer });
  }

  private drop(requestId: string): void {
    const entry = this.pending.get(requestId);
    if (!entry) return;
    this.ctx.clock.cancel(entry.timer);
    this.pending.delete(requestId);
  }
}
