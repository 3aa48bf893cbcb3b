// What a granting decision does once the relay answered (or did not): only a
// decision the relay recorded opens access gates and starts the session.
// Anything else declines before anything opened, is recorded on the device and
// told to the user; where the relay may hold the decision (no answer in time,
// connection lost), a `session.end` says the session never started.
import type { SessionRequestPayload } from '../../protocol/messages.js';
import type { RecordThenSend } from '../audit/record-then-send.js';
import type { GateSet } from '../access/gate-set.js';
import { gateSessionOf } from '../access/gate-session.js';
import type { DecisionAck } from '../session/decision-acks.js';
import type { LiveSession } from '../session/live-session.js';
import type { SessionController } from '../session/session-controller.js';
import { endMessage, sessionFields } from '../session/session-messages.js';
import type { UiPort } from '../ui-port.js';
import { grantedSession } from './decision-message.js';

export interface GrantAfterAckDeps {
  sessions: SessionController;
  gates: GateSet;
  audited: RecordThenSend;
  ui: UiPort;
}

/** The words the user reads, and the audit records, for a decision the relay did not confirm. */
export const UNCONFIRMED = 'declined (relay did not confirm)';

export async function grantAfterAck(
  d: GrantAfterAckDeps,
  p: SessionRequestPayload,
  reserved: LiveSession,
  minutes: number,
  ack: DecisionAck,
): Promise<void> {
  if (ack.kind !== 'recorded') return unconfirmed(d, reserved, ack);
  // Dropped while the relay was answering (relay lost, agent exit): nothing opened, nothing to close.
  if (!d.sessions.isReserved(reserved)) return;
  // The device log shows the relay's word before any gate opened (and where the relay keeps the decision).
  await d.audited.recordOnly('consent.confirmed', { ...sessionFields(reserved), relayRecord: ack.record });
  if (!d.sessions.isReserved(reserved)) return;
  let live = reserved;
  if (d.gates.anyGates) {
    const gateSession = gateSessionOf(live);
    const { applied, failed } = await d.gates.grant(gateSession, live.grantedScopes());
    if (!d.sessions.isReserved(live)) {
      // The slot was dropped while the gates ran (relay lost, agent exit): close what they opened.
      await d.gates.closeLeftOpen(gateSession, applied);
      const reason = 'the relay connection was lost or the agent stopped while access was set up';
      const end = endMessage(live, 'relay-lost', reason);
      await d.audited.record('session.not-started', { ...sessionFields(live), reason }, end, { sendOnFailure: true });
      return;
    }
    if (failed.length > 0) {
      d.sessions.release(live);
      const reason = `not applied on the device: ${failed.map((f) => `${f.scope} (${f.error.code})`).join(', ')}`;
      if (applied.length === 0) {
        // The gates already told the user; the relay hears the session never started.
        await d.gates.end(gateSession);
        const end = endMessage(live, 'policy', reason);
        await d.audited.record('session.not-started', { ...sessionFields(live), reason }, end, { sendOnFailure: true });
        return;
      }
      // Only what the gates applied is live: session.started names those scopes.
      const { init } = live;
      live = grantedSession(p, init.sessionId, init.deviceId, 'partial', applied, init.startedAt, minutes);
      d.sessions.reserve(live);
    }
  }
  await d.sessions.start(live, minutes);
}

async function unconfirmed(d: GrantAfterAckDeps, live: LiveSession, ack: Exclude<DecisionAck, { kind: 'recorded' }>) {
  d.sessions.release(live);
  const why = {
    refused: () => `the relay refused to record it (${ack.kind === 'refused' ? ack.code : ''})`,
    timeout: () => 'the relay did not confirm it in time',
    'relay-lost': () => 'the relay connection was lost before it confirmed',
    'agent-exit': () => 'the agent stopped before the relay confirmed',
  }[ack.kind]();
  const reason = `${UNCONFIRMED}: ${why}; nothing was granted`;
  // A relay that could not write holds no decision. One that went quiet may hold it, and one that refused it
  // (e.g. the request expired there) gets it late: either way the central audit learns the session never started.
  const cannotWrite = ack.kind === 'refused' && ack.code === 'audit-unavailable';
  const by = ack.kind === 'agent-exit' || ack.kind === 'relay-lost' ? ack.kind : 'policy';
  const end = cannotWrite ? undefined : endMessage(live, by, reason);
  const code = ack.kind === 'refused' ? { code: ack.code } : {};
  await d.audited.record('consent.unconfirmed', { ...sessionFields(live), outcome: 'declined', reason, ...code }, end, {
    sendOnFailure: true,
  });
  const { technician, ticket } = live.init;
  const cause =
    ack.kind === 'refused' && ack.code === 'audit-unavailable'
      ? ' The support relay could not record your decision, so nothing was granted.'
      : '';
  const body = `${technician.name} asked for ticket ${ticket.id}; ${UNCONFIRMED}.${cause}`;
  d.ui.notify({ kind: 'request-declined', title: 'Remote support request declined', body });
}
