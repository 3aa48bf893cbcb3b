// What the agent shows the user, as data: the consent prompt, the live-session
// banner and the end-of-session summary. Shared by src/core (the UI port),
// src/main (IPC) and renderer/ (pages). Browser-safe: zod only.
// Every string here came from the network or policy: pages render it as text.
import { z } from 'zod';
import { contactSchema } from '../protocol/contact.js';
import { FILE_DIRECTIONS, END_REASONS, OUTCOMES } from '../protocol/messages.js';
import { identifier, isoTimestamp, lineText, minutes, mode, multilineText, scope, scopeList, scopeSet, technician, ticket, verificationCode } from '../protocol/primitives.js';

/** The escalation confirmation code (see consentViewSchema.confirmCode). */
export const CONFIRM_CODE_LENGTH = 3;
const confirmCode = z.string().regex(new RegExp(`^[0-9]{${CONFIRM_CODE_LENGTH}}$`), `must be ${CONFIRM_CODE_LENGTH} digits`);

/** How the request is authorised, for the mode badge. */
export const consentModeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('attended') }),
  z.strictObject({ kind: z.literal('unattended'), approver: lineText(100), reference: lineText(200) }),
  z.strictObject({ kind: z.literal('emergency'), justification: multilineText(1000), incident: lineText(100) }),
]);
export type ConsentMode = z.infer<typeof consentModeSchema>;

/** One consent dialog: a new session, more scopes/time for a live one, or a window to agree to in advance (issue 20). */
export const consentViewSchema = z.strictObject({
  promptId: identifier,
  kind: z.enum(['session', 'escalation', 'schedule']),
  /** `schedule`: the proposed window; the dialog names it in the user's own time zone and asks Agree / Decline. */
  window: z.strictObject({ startsAt: isoTimestamp, endsAt: isoTimestamp }).optional(),
  technician,
  ticket,
  reason: multilineText(500),
  /** Requested scopes that policy allows: each gets its own checkbox. */
  scopes: scopeSet,
  /** Requested scopes policy removed before asking (shown, not selectable). */
  blockedScopes: scopeList,
  /** Escalations: what the session already holds (shown, not asked for again). */
  grantedScopes: scopeList.optional(),
  /** IT's own wording from policy, through the same text policy as network text. */
  itWording: z
    .strictObject({ displayName: lineText(40).optional(), customLine: lineText(80).optional(), supportPhone: lineText(24).optional() })
    .optional(),
  mode: consentModeSchema,
  /** How the technician says they reached the user first (new sessions only). */
  contact: contactSchema.optional(),
  /** IT requires that contact: the dialog asks the user to accept only while talking to the technician. */
  contactRequired: z.boolean().optional(),
  /** New sessions backed by a manager approval: the user decides; the approval applies only if nobody answers. */
  approvalIfNoAnswer: z.boolean().optional(),
  estimatedMinutes: minutes,
  /** For escalations: extra minutes asked for, and the session it belongs to. */
  extendMinutes: minutes.optional(),
  sessionId: identifier.optional(),
  verificationCode,
  /**
   * Mid-session escalation while the technician holds control or admin: digits the
   * user must type before Allow arms, because injected input can click a dialog it
   * can't see. Made per prompt by the core, shown only in the capture-protected
   * dialog, never sent to the relay or written to the audit log.
   */
  confirmCode: confirmCode.optional(),
  /** When the prompt declines by itself. */
  expiresAt: isoTimestamp,
  /** Number of further requests waiting (the queue shows one at a time). */
  queued: z.number().int().min(0).max(100),
}).refine((v) => (v.kind === 'schedule') === (v.window !== undefined), { message: 'a schedule prompt, and only one, names its window' });
export type ConsentView = z.infer<typeof consentViewSchema>;

/**
 * How a prompt was dismissed, when the page knows: `declined` (the Decline button), `escape` (the key),
 * `timeout` (the page's own countdown), `code-failed` (too many wrong confirmation codes). Without a
 * reason the window was closed. Each becomes its own `decidedBy` (user, escape, timeout, dialog-closed).
 */
export const DISMISS_REASONS = ['code-failed', 'declined', 'escape', 'timeout'] as const;
export type DismissReason = (typeof DISMISS_REASONS)[number];

/** The user's answer. `dismissed` declines everything. */
export const consentAnswerSchema = z.discriminatedUnion('kind', [
  /** `confirmCode`: what the user typed, when the view asked for one (the core compares, default deny). */
  z.strictObject({ kind: z.literal('decision'), promptId: identifier, granted: scopeList, confirmCode: confirmCode.optional() }),
  z.strictObject({ kind: z.literal('dismissed'), promptId: identifier, reason: z.enum(DISMISS_REASONS).optional() }),
]);
export type ConsentAnswer = z.infer<typeof consentAnswerSchema>;

/** The always-on-top bar while a session is live. */
export const bannerViewSchema = z.strictObject({
  sessionId: identifier,
  technician,
  ticket,
  mode: consentModeSchema,
  granted: scopeSet,
  startedAt: isoTimestamp,
  endsAt: isoTimestamp,
  latestNarration: z.strictObject({ at: isoTimestamp, text: multilineText(1000) }).optional(),
  /** What the user last sent from the reply box, once it is in the device's audit log and on its way. */
  latestUserMessage: z.strictObject({ at: isoTimestamp, text: multilineText(1000) }).optional(),
  /** The user sent too many messages too fast: the reply box waits until then. */
  replyPausedUntil: isoTimestamp.optional(),
  /** The screen channel as it is (not as granted): a viewer connected, and whether its input reaches the screen. */
  screen: z.strictObject({ open: z.boolean(), input: z.boolean() }).optional(),
});
export type BannerView = z.infer<typeof bannerViewSchema>;

/** Who wrote a line of the session's conversation (absent: the technician, as before issue 20). */
export const CONVERSATION_AUTHORS = ['technician', 'user'] as const;
export const narrationEntrySchema = z.strictObject({ at: isoTimestamp, text: multilineText(1000), from: z.enum(CONVERSATION_AUTHORS).optional() });

/** Shown when a session ends. */
export const summaryViewSchema = z.strictObject({
  sessionId: identifier,
  technician,
  ticket,
  mode,
  outcome: z.enum(OUTCOMES),
  endedBy: z.enum(END_REASONS),
  startedAt: isoTimestamp,
  endedAt: isoTimestamp,
  durationSec: z.number().int().min(0),
  scopesGranted: scopeList,
  scopesUsed: scopeList,
  files: z
    .array(
      z.strictObject({
        name: lineText(255),
        size: z.number().int().min(0),
        direction: z.enum(FILE_DIRECTIONS),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        allowed: z.boolean(),
      }),
    )
    .max(500),
  narration: z.array(narrationEntrySchema).max(500),
  /** Older files and narration lines not listed above (the audit log has them all). */
  filesOmitted: z.number().int().min(1).optional(),
  narrationOmitted: z.number().int().min(1).optional(),
  /** The technician's notes of executed commands and changed configurations (`/note`): "What was changed". */
  notes: z.array(narrationEntrySchema).max(500).optional(),
  notesOmitted: z.number().int().min(1).optional(),
});
export type SummaryView = z.infer<typeof summaryViewSchema>;

/** What the user may write: a reply in the banner (narration's policy and limit) and a comment on the fix. */
export const userMessageText = multilineText(1000);
export const resolutionComment = multilineText(500);

/** The user's answer on the summary page to "Is your problem solved?" (issue 20). */
export const resolutionAnswerSchema = z.strictObject({
  sessionId: identifier,
  solved: z.boolean(),
  rating: z.number().int().min(1).max(5).optional(),
  comment: resolutionComment.optional(),
});
export type ResolutionAnswer = z.infer<typeof resolutionAnswerSchema>;

/** What the user can do from the banner. */
export const bannerActionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('revoke-scope'), sessionId: identifier, scope }),
  z.strictObject({ kind: z.literal('end-session'), sessionId: identifier }),
  /** The user's own words from the reply box (same text policy and limit as narration). */
  z.strictObject({ kind: z.literal('user-message'), sessionId: identifier, text: userMessageText }),
  /** The "I have a question" quick action: the core sends a fixed text. */
  z.strictObject({ kind: z.literal('quick-question'), sessionId: identifier }),
]);
export type BannerAction = z.infer<typeof bannerActionSchema>;

