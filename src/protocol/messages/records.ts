// Wire protocol v1 (messages.ts): the relay's word that it recorded an agent
// report, and the agent's reports re-sent after the relay lost them.
import { z } from 'zod';
import { auditAnchor, identifier } from '../primitives.js';
import { header } from './header.js';
import { sessionDecisionSchema } from './session-request.js';
import { sessionFileTransferResultSchema, sessionScopeUpdateSchema, sessionStartedSchema, sessionUserMessageSchema } from './live-session.js';
import { sessionEndSchema, sessionResolutionSchema, sessionSummarySchema } from './session-end.js';

/**
 * Relay -> agent: the agent frame `re` is durably in the central audit (record `record`), or was already
 * there (a late duplicate). The agent applies a grant only after this for its decision, and forgets a
 * report it keeps for re-sending once this names it.
 */
export const sessionRecordedSchema = z.strictObject({
  ...header('session.recorded'),
  re: identifier,
  /** The agent audit record (seq) the report carried as its anchor. */
  agentSeq: auditAnchor.shape.seq.optional(),
  requestId: identifier.optional(),
  /** The central audit record holding it (absent: the relay keeps its own record of that event, e.g. it ended the session first). */
  record: auditAnchor.optional(),
  duplicate: z.literal(true).optional(),
});

/** The agent reports the relay may lose (killed before it wrote or acknowledged them). */
export const lateReportSchema = z.discriminatedUnion('type', [
  sessionDecisionSchema,
  sessionStartedSchema,
  sessionScopeUpdateSchema,
  sessionFileTransferResultSchema,
  sessionEndSchema,
  sessionSummarySchema,
  // Issue 20: the user's own words and their answer on the fix are kept until the relay recorded them, too.
  sessionUserMessageSchema,
  sessionResolutionSchema,
]);
export type LateReport = z.infer<typeof lateReportSchema>;

/** Agent -> relay: a report the relay never acknowledged, re-sent as it was first sent (anchor and signature). */
export const sessionLateSchema = z.strictObject({
  ...header('session.late'),
  report: lateReportSchema,
});
