// What the relay ends on its own: a request nobody answered, a session past
// its granted time, everything of a peer that disconnected, everything at
// shutdown. Each end is written to the central audit first, then both sides
// hear of it (recorded quietly: these paths must not throw, and the peers must
// still be told when the storage is already gone).
import { errorMessage, newMessageId } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import type { Scope } from '../../protocol/scopes.js';
import type { Peer } from '../peer.js';
import type { AuditData } from '../audit/audit-record.js';
import { auditContext, sessionContext, type RoutedRequest, type RoutedSession } from './routed.js';
import { recordQuietly, type RoutingContext } from './routing-context.js';

/** How the relay names a session end that no peer asked for, on the wire and in the central audit. */
interface RelayEnd {
  /** What the peers hear. */
  wire: Message<'session.end'>['by'];
  /** What the central audit keeps (`relay-shutdown` exists only there). */
  audit: AuditData<'session-end'>['by'];
  reason: string;
}

/** What the technician and the central audit read when the device drops out of a live session. */
export const AGENT_LOST_REASON = 'the device disconnected during the session';

export class RelayEnds {
  constructor(private readonly ctx: RoutingContext) {}

  /** No decision in the request's lifetime plus grace: the relay decides `expired`. */
  async expireRequest(requestId: string): Promise<void> {
    const { table, clock, directory } = this.ctx;
    const req = table.pendingRequest(requestId);
    if (!req) return;
    table.dropPending(req);
    const decidedAt = new Date(clock.now()).toISOString();
    const detail = 'no answer from the agent before the request expired';
    const decision = {
      outcome: 'expired' as const,
      granted: [] as Scope[],
      declined: req.scopes,
      decidedBy: 'timeout' as const,
      decidedAt,
      detail,
    };
    await recordQuietly(this.ctx.audit, 'decision', requestContext(req), decision);
    // The agent must stop prompting for a request the technician is told is over.
    directory.agent(req.deviceId)?.send({ v: 1, type: 'session.cancel', id: newMessageId(), requestId });
    req.peer.send({ v: 1, type: 'session.decision', id: newMessageId(), requestId, ...decision });
  }

  /** The agent did not end a session whose granted time is over: the relay ends it on both sides. */
  async expireSession(s: RoutedSession): Promise<void> {
    const { table, clock } = this.ctx;
    if (s.ended || !table.holds(s)) return;
    if (!clock.isOverdue(s)) return clock.armExpiry(s, s.endsAt);
    table.markEnded(s, 'expiry');
    const reason = `the granted time ended at ${new Date(s.endsAt).toISOString()}; the relay ended the session`;
    await this.endSession(s, { wire: 'expiry', audit: 'expiry', reason }, 'both');
  }

  /** An agent's connection is gone: its pending requests fail, its sessions end (agent-lost). */
  async agentLost(deviceId: string): Promise<void> {
    const { table, audit } = this.ctx;
    for (const req of table.pendingWhere((r) => r.deviceId === deviceId)) {
      table.dropPending(req);
      await recordQuietly(audit, 'rejected', requestContext(req), offline('agent disconnected before deciding'));
      req.peer.send(errorMessage('agent-offline', 'the agent disconnected before deciding', req.techMsgId));
    }
    // Not audited: the accepted decision is, and no session started that could end.
    for (const [requestId, owner] of table.dropAwaitingWhere((a) => a.deviceId === deviceId)) {
      if (table.hasSessionFor(requestId)) continue;
      owner.peer.send(errorMessage('agent-offline', `the agent disconnected before session ${requestId} started`));
    }
    for (const s of table.sessionsWhere((x) => x.deviceId === deviceId)) {
      table.forget(s);
      const end: RelayEnd = { wire: 'agent-lost', audit: 'agent-lost', reason: AGENT_LOST_REASON };
      if (!s.ended) await this.endSession(s, end, 'technician');
    }
  }

  /** A technician's connection is gone: its pending requests are cancelled, its sessions end (technician). */
  async technicianLost(peer: Peer): Promise<void> {
    const { table, audit, directory } = this.ctx;
    for (const req of table.pendingWhere((r) => r.peer === peer)) {
      table.dropPending(req);
      await recordQuietly(audit, 'cancel', requestContext(req), {});
      directory.agent(req.deviceId)?.send(cancelFrame(req));
    }
    for (const s of table.sessionsWhere((x) => x.peer === peer)) {
      table.forget(s);
      const end: RelayEnd = { wire: 'technician', audit: 'technician', reason: 'the technician disconnected' };
      if (!s.ended) await this.endSession(s, end, 'agent');
    }
    table.dropTechnician(peer);
  }

  /** IT withdrew a technician's access: like a disconnect, but the user hears why (`policy`, with the reason). */
  async technicianWithdrawn(peer: Peer, reason: string): Promise<void> {
    const { table, audit, directory } = this.ctx;
    for (const req of table.pendingWhere((r) => r.peer === peer)) {
      table.dropPending(req);
      const refusal = { action: 'decision', code: 'unauthorized', detail: reason } as const;
      await recordQuietly(audit, 'rejected', requestContext(req), refusal);
      directory.agent(req.deviceId)?.send(cancelFrame(req));
      req.peer.send(errorMessage('unauthorized', reason, req.techMsgId));
    }
    for (const s of table.sessionsWhere((x) => x.peer === peer)) {
      table.forget(s);
      if (!s.ended) await this.endSession(s, { wire: 'policy', audit: 'policy', reason }, 'both');
    }
    table.dropTechnician(peer);
  }

  /**
   * Relay shutdown: the table is emptied at once (nothing more is routed), then
   * every live session is audited as ended by `relay-shutdown` and both sides
   * hear `relay-lost`; every pending request is audited as failed, the agent
   * stops prompting and the technician hears `agent-offline`.
   */
  async shutdown(): Promise<void> {
    const { table, audit, directory } = this.ctx;
    const pending = table.pendingWhere(() => true);
    const live = table.sessionsWhere((s) => !s.ended);
    table.clear();
    const reason = 'the relay is shutting down';
    for (const s of live) await this.endSession(s, { wire: 'relay-lost', audit: 'relay-shutdown', reason }, 'both');
    for (const req of pending) {
      await recordQuietly(audit, 'rejected', requestContext(req), offline(reason));
      directory.agent(req.deviceId)?.send(cancelFrame(req));
      req.peer.send(errorMessage('agent-offline', reason, req.techMsgId));
    }
  }

  /** Audit the end, then tell the side(s) still there. */
  private async endSession(s: RoutedSession, end: RelayEnd, tell: 'agent' | 'technician' | 'both'): Promise<void> {
    await recordQuietly(this.ctx.audit, 'session-end', sessionContext(s), { by: end.audit, reason: end.reason });
    const { sessionId } = s;
    const { wire: by, reason } = end;
    const frame = (): Message<'session.end'> => {
      return { v: 1, type: 'session.end', id: newMessageId(), sessionId, by, reason };
    };
    if (tell !== 'technician') this.ctx.directory.agent(s.deviceId)?.send(frame());
    if (tell !== 'agent') s.peer.send(frame());
  }
}

function requestContext(req: RoutedRequest) {
  return auditContext(req, { requestId: req.requestId });
}

/** The agent stops prompting for a request that is over. */
function cancelFrame(req: RoutedRequest): Message<'session.cancel'> {
  return { v: 1, type: 'session.cancel', id: newMessageId(), requestId: req.requestId };
}

/** A pending request that failed because its agent (or the relay) went away. */
function offline(detail: string): AuditData<'rejected'> {
  return { action: 'decision', code: 'agent-offline', detail };
}
