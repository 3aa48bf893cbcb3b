// The user's own word on the fix (issue 20): first-contact resolution from the
// user's answer to "Is your problem solved?" where there is one, from the
// technician's close otherwise (each ticket says which), and the month's
// satisfaction ratings (CSAT).
import type { AuditRecord } from '../audit/audit-record.js';
import type { SessionView } from '../audit/session-projection.js';
import type { CsatFigures, FcrBySource } from './report-model.js';

export interface ResolvedTicket {
  ticketId: string;
  /** Sessions of the ticket, any order. */
  views: readonly SessionView[];
  /** What the technician's close says: resolved in exactly one session. */
  technicianFirstContact: boolean;
}

/**
 * Per ticket resolved (with at least one session) in the month: if the user
 * answered for the ticket's first session, that answer decides (Yes: resolved at
 * first contact; Not yet: not); otherwise the technician's figure stands.
 */
export function fcrBySource(tickets: readonly ResolvedTicket[], answers: ReadonlyMap<string, AuditRecord<'resolution'>>): FcrBySource {
  const out: FcrBySource = { user: { tickets: 0, firstContact: 0 }, technician: { tickets: 0, firstContact: 0 }, firstContact: 0, rate: null, tickets: [] };
  for (const t of tickets) {
    const first = t.views.filter((v) => v.startedAt !== null && v.sessionId !== null).sort((a, b) => Date.parse(a.requestedAt) - Date.parse(b.requestedAt))[0];
    const answer = first?.sessionId ? answers.get(first.sessionId) : undefined;
    const source = answer ? 'user' : 'technician';
    const firstContact = answer ? answer.data.solved : t.technicianFirstContact;
    out[source].tickets++;
    if (firstContact) out[source].firstContact++;
    out.tickets.push({ ticketId: t.ticketId, source, firstContact });
  }
  out.firstContact = out.user.firstContact + out.technician.firstContact;
  out.rate = tickets.length === 0 ? null : out.firstContact / tickets.length;
  return out;
}

/** Answers given in the month: how many, solved or not, and the 1-5 ratings (average and count of each). */
export function csat(answers: readonly AuditRecord<'resolution'>[]): CsatFigures {
  const ratings = answers.map((a) => a.data.rating).filter((r): r is number => r !== undefined);
  const distribution = [1, 2, 3, 4, 5].map((rating) => ({ rating, count: ratings.filter((r) => r === rating).length }));
  return {
    answers: answers.length,
    solved: answers.filter((a) => a.data.solved).length,
    notYet: answers.filter((a) => !a.data.solved).length,
    rated: ratings.length,
    average: ratings.length === 0 ? null : ratings.reduce((a, b) => a + b, 0) / ratings.length,
    distribution,
  };
}
