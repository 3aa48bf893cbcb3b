// Each way a request or session can fail maps to one cause a help desk can act on.
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/relay/audit/audit-record.js';
import type { SessionView } from '../../src/relay/audit/session-projection.js';
import { causeOfRequest, commonCauses } from '../../src/relay/report/common-causes.js';

const view = (over: Partial<SessionView>): SessionView => ({
  requestId: 'r', ticketId: 'INC-1', deviceId: 'd', technicianId: 't', technicianName: 'T', group: 'g', mode: 'attended', scopesRequested: ['view'],
  requestedAt: '2026-11-01T00:00:00.000Z', decidedAt: null, decisionLoggedAt: null, outcome: null, decidedBy: null, decisionCode: null, granted: [], declined: [],
  sessionId: null, startedAt: null, endedAt: null, endedBy: null, files: [], closeOutcome: null, closedAt: null, authority: null, maintenance: null, ...over,
});

describe('causeOfRequest', () => {
  it.each([
    [{ outcome: 'declined', decidedBy: 'user' }, 'declined-by-user'],
    [{ outcome: 'declined', decidedBy: 'escape' }, 'declined-by-user'],
    [{ outcome: 'declined', decidedBy: 'dialog-closed' }, 'declined-by-user'],
    [{ outcome: 'declined', decidedBy: 'timeout' }, 'timeout'],
    [{ outcome: 'expired', decidedBy: 'timeout' }, 'timeout'],
    [{ outcome: 'declined', decidedBy: 'relay-lost' }, 'relay-lost'],
    [{ outcome: 'no-user-present', decidedBy: 'no-user' }, 'no-user-present'],
    [{ outcome: 'agent-offline' }, 'agent-offline'],
    [{ outcome: 'blocked', decidedBy: 'policy', decisionCode: 'policy-blocked' }, 'policy-blocked'],
    [{ outcome: 'blocked', decidedBy: 'verification', decisionCode: 'bad-approval' }, 'bad-approval'],
    [{ outcome: 'blocked', decidedBy: 'verification', decisionCode: 'replayed' }, 'verification-failed'],
    [{ outcome: 'partial', decidedBy: 'user', decisionCode: 'gate-failed' }, 'gate-failure'],
    [{ outcome: 'accepted', decidedBy: 'user', startedAt: 'x', endedBy: 'agent-lost' }, 'agent-lost'],
    [{ outcome: 'declined', decidedBy: 'audit-failure' }, 'audit-unavailable'],
  ] as const)('%j is %s', (over, cause) => {
    expect(causeOfRequest(view(over as Partial<SessionView>))).toBe(cause);
  });

  it.each([
    [{ outcome: 'accepted', decidedBy: 'user', startedAt: 'x', endedBy: 'user' }],
    [{ outcome: 'cancelled' }],
    [{ outcome: null }],
  ] as const)('%j is not a failure', (over) => {
    expect(causeOfRequest(view(over as Partial<SessionView>))).toBeNull();
  });
});

describe('commonCauses', () => {
  const refusal = (code: string, ticketId: string): AuditRecord<'rejected'> =>
    ({ kind: 'rejected', requestId: null, ticketId, data: { action: 'tech.request', code } }) as unknown as AuditRecord<'rejected'>;

  it('counts relay refusals that never reached a device, and ranks tickets within a cause', () => {
    const causes = commonCauses(
      [view({ ticketId: 'INC-2', outcome: 'declined', decidedBy: 'user' })],
      [refusal('agent-clock-skew', 'INC-9'), refusal('agent-clock-skew', 'INC-7'), refusal('agent-clock-skew', 'INC-7'), refusal('forbidden', 'INC-3')],
    );
    expect(causes).toEqual([
      { cause: 'clock-skew', count: 3, topTickets: ['INC-7', 'INC-9'] },
      { cause: 'declined-by-user', count: 1, topTickets: ['INC-2'] },
      { cause: 'refused-by-relay', count: 1, topTickets: ['INC-3'] },
    ]);
  });
});
