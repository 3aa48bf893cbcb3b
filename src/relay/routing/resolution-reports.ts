// The user's answer to "Is your problem solved?" (issue 20), which comes after
// the session's summary, when the relay no longer routes that session. The
// central audit says whose session it was: only the device it ran on may
// answer, once. The technician hears it if still connected ("Not yet" is what
// they must not miss).
import { errorMessage } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import type { AuditContext } from '../audit/central-audit.js';
import type { Peer } from '../peer.js';
import type { VerifiedDeviceSig } from './device-signature-gate.js';
import { recordedAck } from './recorded-ack.js';
import type { RoutingContext } from './routing-context.js';

/** Ended sessions whose technician connection the relay remembers, to forward the answer (newest kept). */
const REMEMBERED_TECHNICIANS = 1000;

export class ResolutionReports {
  private readonly technicianOf = new Map<string, Peer>();

  constructor(private readonly ctx: RoutingContext) {}

  /** A session's summary arrived: its technician may still hear the user's answer. */
  sessionEnded(sessionId: string, technician: Peer): void {
    this.technicianOf.delete(sessionId);
    this.technicianOf.set(sessionId, technician);
    if (this.technicianOf.size > REMEMBERED_TECHNICIANS) {
      this.technicianOf.delete(this.technicianOf.keys().next().value as string);
    }
  }

  /** A technician connection is gone: nothing more is sent to it. */
  technicianLost(peer: Peer): void {
    for (const [id, p] of this.technicianOf) if (p === peer) this.technicianOf.delete(id);
  }

  async handle(
    peer: Peer,
    deviceId: string,
    msg: Message<'session.resolution'>,
    deviceSig?: VerifiedDeviceSig,
  ): Promise<void> {
    const { storage, audit } = this.ctx;
    const records = await storage.queryAudit({ sessionId: msg.sessionId, kinds: ['session-started', 'resolution'] });
    const started = records.find((r) => r.kind === 'session-started');
    if (!started || started.deviceId !== deviceId) {
      return peer.send(errorMessage('unknown-session', 'no session on this device has that id', msg.id));
    }
    // One answer per session: a repeat (a re-send, or a second click that got through) is acknowledged, not recorded.
    const earlier = records.find((r) => r.kind === 'resolution');
    if (earlier) return peer.send(recordedAck(msg, earlier, { duplicate: true }));
    const { ticketId, technicianId, requestId } = started;
    // Signed by the device key (agent-frames.ts checked it); here: for this session's own request.
    if (msg.deviceSig?.requestId !== requestId) {
      const detail = 'session.resolution is signed for another request than its session';
      const where = { deviceId, requestId, sessionId: msg.sessionId };
      await audit.record('rejected', where, { action: msg.type, code: 'bad-signature', detail });
      return peer.send(errorMessage('bad-signature', detail, msg.id));
    }
    const ctx: AuditContext = { ticketId, deviceId, technicianId, requestId, sessionId: msg.sessionId };
    const { solved, rating, comment, at } = msg;
    const data = {
      solved,
      at,
      ...(rating !== undefined ? { rating } : {}),
      ...(comment !== undefined ? { comment } : {}),
      ...(msg.audit ? { agentAudit: { seq: msg.audit.seq, hash: msg.audit.hash } } : {}),
      ...(deviceSig ? { deviceSig } : {}),
    };
    const rec = await audit.record('resolution', ctx, data);
    peer.send(recordedAck(msg, rec));
    this.technicianOf.get(msg.sessionId)?.send(msg);
  }
}
