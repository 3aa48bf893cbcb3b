// The facts of a live session a gate is given.
import type { LiveSession } from '../session/live-session.js';
import type { GateSession } from './access-gate.js';

export function gateSessionOf(s: LiveSession): GateSession {
  return {
    sessionId: s.id,
    ticketId: s.init.ticket.id,
    technicianId: s.init.technician.id,
    technicianName: s.init.technician.name,
    deviceId: s.init.deviceId,
  };
}
