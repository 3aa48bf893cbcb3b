// What the frame handlers and the relay's own ends share: the table, the
// clock, the central audit, where agents are, and the relay's signing setup.
import { errorMessage } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import type { Ed25519KeyPair } from '../../protocol/signing.js';
import type { MfaPolicy } from '../accounts/mfa-policy.js';
import type { AuditContext, CentralAudit } from '../audit/central-audit.js';
import type { AuditData, AuditKind } from '../audit/audit-record.js';
import type { PeerDirectory } from '../peer-directory.js';
import type { RequestRandomness } from '../session-request-builder.js';
import type { RelayStorage } from '../storage/storage.js';
import type { ClockSkewRefusals } from './clock-skew-refusals.js';
import type { Owner } from './routed.js';
import type { SessionClock } from './session-clock.js';
import type { SessionTable } from './session-table.js';

export interface RoutingContext {
  table: SessionTable;
  clock: SessionClock;
  audit: CentralAudit;
  directory: PeerDirectory;
  storage: RelayStorage;
  relayKey: Ed25519KeyPair;
  random: RequestRandomness;
  lifetimeMs: number;
  approvalsPublicKey?: string;
  /** When a second factor is needed (unattended and emergency requests check it here). */
  mfa: MfaPolicy;
  /** Devices refused at hello for their clock, so a technician asking for one learns why. */
  clockSkew: ClockSkewRefusals;
  /** The relay log (faults the peers are told about are logged too). */
  log?: (line: string) => void;
}

/** Send to the owner's agent, or tell the technician it is offline. */
export function toAgent(ctx: RoutingContext, owner: Owner, msg: Message): void {
  const agent = ctx.directory.agent(owner.deviceId);
  if (agent) agent.send(msg);
  else owner.peer.send(errorMessage('agent-offline', `device ${owner.deviceId} is not connected`, msg.id));
}

/** Audit on a path that must not throw (disconnect handling, timers, shutdown): the peers still hear of it. */
export async function recordQuietly<K extends AuditKind>(
  audit: CentralAudit,
  kind: K,
  ctx: AuditContext,
  data: AuditData<K>,
): Promise<void> {
  try {
    await audit.record(kind, ctx, data);
  } catch {
    // The storage is gone (shutdown); nothing else to do on this path.
  }
}
