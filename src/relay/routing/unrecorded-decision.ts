// A decision the relay could not write to the central audit: nothing of it
// happened. The agent hears `audit-unavailable` (it must not apply the grant),
// the technician hears why, and the request goes back to pending with its
// original deadline, so its expiry still fires whatever happened.
import { errorMessage } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import { auditWriteFault } from '../audit/audit-write-fault.js';
import type { Peer } from '../peer.js';
import type { RoutedRequest } from './routed.js';
import type { RoutingContext } from './routing-context.js';

export function answerUnrecordedDecision(
  ctx: RoutingContext,
  agent: Peer,
  req: RoutedRequest,
  msg: Message<'session.decision'>,
  err: unknown,
  onDue: (requestId: string) => void,
): void {
  const { table, clock } = ctx;
  const cause =
    auditWriteFault(err)?.message ?? `the audit write failed: ${err instanceof Error ? err.message : String(err)}`;
  req.timer = clock.after(Math.max(0, req.dueAt - clock.now()), () => onDue(req.requestId));
  table.addPending(req);
  ctx.log?.(
    `relay: audit-unavailable: decision ${msg.outcome} on request ${req.requestId} (device ${req.deviceId}) ` +
      `not recorded: ${cause}`,
  );
  const detail = `the relay cannot write its audit log (${cause}); your decision was not recorded and grants nothing`;
  agent.send(errorMessage('audit-unavailable', detail, msg.id));
  const toTechnician =
    `the relay cannot write its audit log (disk full?): ${cause}; ` +
    `the agent's ${msg.outcome} decision on request ${req.requestId} was not recorded, nothing is granted`;
  req.peer.send(errorMessage('audit-unavailable', toTechnician, req.techMsgId));
}
