// The monthly support report as data (seed 003: FCR, MTTR, repeat incidents,
// attended:unattended ratio). Every renderer reads only this shape; rates are
// fractions 0..1 or null when there is nothing to divide by.
import type { Scope } from '../../protocol/scopes.js';
import type { SessionMode } from '../audit/audit-record.js';
import type { CommonCause } from './common-causes.js';
import type { ConsentRates } from './consent-rates.js';
import type { UnattendedRow } from './unattended-list.js';

export const REPORT_VERSION = 1;

export interface Distribution {
  count: number;
  /** Seconds; null without samples. */
  medianSec: number | null;
  /** Nearest-rank 90th percentile, seconds. */
  p90Sec: number | null;
}

export interface TechnicianRow {
  technicianId: string;
  name: string;
  requests: number;
  sessions: number;
  accepted: number;
  partial: number;
  declined: number;
  expired: number;
  /** Requests refused before any user saw them: by the relay (permission, approval, offline device) or blocked on the device. */
  refused: number;
  medianConsentSec: number | null;
  ticketsResolved: number;
  firstContactResolved: number;
  fileTransfers: number;
}

export interface RepeatIncident {
  deviceId: string;
  ticketId: string;
  previousTicketId: string;
  /** Days between the previous ticket's latest request and this ticket's first, one decimal. */
  daysSincePrevious: number;
}

export interface MonthlyReport {
  version: typeof REPORT_VERSION;
  month: string;
  timeZone: string;
  /** ISO instants of the half-open window [from, to). */
  from: string;
  to: string;
  generatedAt: string;
  requests: number;
  sessions: number;
  modes: Record<SessionMode, number> & { ratio: string; attendedShare: number | null };
  outcomes: {
    accepted: number;
    partial: number;
    declined: number;
    expired: number;
    blocked: number;
    noUserPresent: number;
    cancelled: number;
    agentOffline: number;
    pending: number;
    /** Technician requests the relay refused before any device saw them (offline device, permissions). */
    refusedByRelay: number;
    /** Requests the agent decided (denominator of the rates). */
    decided: number;
    acceptRate: number | null;
    partialRate: number | null;
    declineRate: number | null;
    expireRate: number | null;
  };
  /** The users' answers as shares adding up to 100 %, approvals and emergencies apart (consent-rates.ts). */
  consentRates: ConsentRates;
  timeToConsent: Distribution;
  tickets: {
    /** Tickets whose first request ever falls in the month. */
    opened: number;
    /** Tickets with any request in the month. */
    active: number;
    /** Tickets first resolved in the month. */
    resolved: number;
    resolvedWithoutSession: number;
    /** Resolved in exactly one remote session (of those resolved with at least one). */
    firstContactResolved: number;
    fcrRate: number | null;
    /** First-contact resolution with the user's answer where there is one (issue 20); see user-verdicts.ts. */
    fcrBySource: FcrBySource;
    /** First request to first `resolved` close, across months. */
    mttr: { count: number; meanSec: number | null; medianSec: number | null };
    /** Latest close outcome in the month, per ticket. */
    closedAs: { resolved: number; followUp: number; escalated: number };
    /** Active tickets with no close outcome by the end of the month. */
    withoutOutcome: number;
    sessionsWithoutOutcome: number;
  };
  repeatIncidents: { count: number; rate: number | null; items: RepeatIncident[] };
  /** The users' answers given in the month, and their 1-5 ratings. */
  csat: CsatFigures;
  declinedScopes: Array<{ scope: Scope; count: number }>;
  /** Sessions of the month by how they ended; declined requests by who or what declined them. */
  failureCauses: {
    sessionEnds: Array<{ by: string; count: number }>;
    declinedBy: Array<{ decidedBy: string; count: number }>;
    /** Every failed request or broken-off session of the month under one cause, most frequent first. */
    common: CommonCause[];
  };
  fileTransfers: {
    total: number;
    bytes: number;
    allowed: number;
    refused: number;
    noResult: number;
    refusedByCode: Array<{ code: string; count: number }>;
  };
  technicians: TechnicianRow[];
  /** Every unattended and emergency request, with its authority and maintenance task. */
  unattended: UnattendedRow[];
  /** Seed 000: tickets whose emergency session is not documented (what / why / result) by the month's end. */
  emergencyWithoutDocumentation: { count: number; tickets: string[] };
  /** Requests per local day of the month (index 0 = day 1). */
  daily: number[];
}

/** First-contact resolution of the tickets resolved with a session, each counted from one source. */
export interface FcrBySource {
  /** Tickets whose first session the user answered: their Yes or Not yet decides. */
  user: { tickets: number; firstContact: number };
  /** Tickets without such an answer: resolved in exactly one session, by the technician's close. */
  technician: { tickets: number; firstContact: number };
  firstContact: number;
  rate: number | null;
  tickets: Array<{ ticketId: string; source: 'user' | 'technician'; firstContact: boolean }>;
}

export interface CsatFigures {
  answers: number;
  solved: number;
  notYet: number;
  rated: number;
  /** Mean of the 1-5 ratings given. */
  average: number | null;
  distribution: Array<{ rating: number; count: number }>;
}
