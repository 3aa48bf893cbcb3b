// The messages the agent sends about a live session, built from its state.
import { newMessageId } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import { sortScopes, type Scope } from '../../protocol/scopes.js';
import type { AuditFields } from '../../protocol/agent-audit-record.js';
import type { EndReason, LiveSession } from './live-session.js';

export type ScopeChange = Message<'session.scope-update'>['change'];

export function scopeUpdateMessage(
  s: LiveSession,
  change: ScopeChange,
  scopes: readonly Scope[],
  requestId?: string,
): Message<'session.scope-update'> {
  return {
    v: 1,
    type: 'session.scope-update',
    id: newMessageId(),
    sessionId: s.id,
    change,
    scopes: sortScopes(scopes),
    granted: s.grantedScopes(),
    endsAt: new Date(s.endsAt).toISOString(),
    ...(requestId ? { requestId } : {}),
  };
}

export function startedMessage(s: LiveSession): Message<'session.started'> {
  return {
    v: 1,
    type: 'session.started',
    id: newMessageId(),
    sessionId: s.id,
    requestId: s.init.requestId,
    scopes: s.grantedScopes() as Message<'session.started'>['scopes'],
    mode: s.init.mode,
    startedAt: new Date(s.init.startedAt).toISOString(),
    endsAt: new Date(s.endsAt).toISOString(),
  };
}

export function endMessage(s: LiveSession, by: EndReason, reason: string | undefined): Message<'session.end'> {
  return { v: 1, type: 'session.end', id: newMessageId(), sessionId: s.id, by, ...(reason ? { reason } : {}) };
}

/** The audit fields every record about this session carries. */
export function sessionFields(s: LiveSession): AuditFields {
  return {
    sessionId: s.id,
    requestId: s.init.requestId,
    ticketId: s.init.ticket.id,
    technicianId: s.init.technician.id,
  };
}
