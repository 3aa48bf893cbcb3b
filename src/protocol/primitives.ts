// Field-level schemas shared by every message. Strings from the network are
// bounded and pass the text policy, so they cannot spoof what the user reads.
import { z } from 'zod';
import { SCOPES } from './scopes.js';
import { TEXT_ISSUE_MEANINGS, textIssue, type TextKind } from './text-policy.js';

// Every human-readable field goes through one text policy (text-policy.ts): controls, invisible and direction
// characters, piled-up combining marks and non-NFC text are rejected, so what is signed is what is shown and audited.

// Matching control characters is the point of this pattern.
/* eslint-disable no-control-regex */
/** Controls and bidi overrides, for replacing (error details) rather than rejecting. */
export const UNSAFE_LINE_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu;
/* eslint-enable no-control-regex */

const policyText = (kind: TextKind, max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .superRefine((s, ctx) => {
      const issue = textIssue(s, kind);
      if (issue) ctx.addIssue({ code: 'custom', message: `text:${issue} (${TEXT_ISSUE_MEANINGS[issue]})` });
    });

/** One line of human-readable text (names, titles). */
export const lineText = (max: number) => policyText('line', max);

/** Multi-line human-readable text (reasons, narration): newlines and tabs allowed. */
export const multilineText = (max: number) => policyText('multiline', max);

/** Machine identifiers: message ids, request ids, session ids, device ids. */
export const identifier = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'must be 1-64 chars of A-Z a-z 0-9 _ . : -');

/** Technician and group names as the relay knows them. */
export const slug = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be 1-64 chars of a-z 0-9 _ . -');

/** ISO 8601 UTC timestamp with a Z suffix. */
export const isoTimestamp = z.iso.datetime({ offset: false });

export const scope = z.enum(SCOPES);

/** A non-empty set of scopes, each at most once. */
export const scopeSet = z
  .array(scope)
  .min(1)
  .max(SCOPES.length)
  .refine((a) => new Set(a).size === a.length, { message: 'lists a scope twice' });

/** Possibly empty set of scopes (grants after a full decline). */
export const scopeList = z
  .array(scope)
  .max(SCOPES.length)
  .refine((a) => new Set(a).size === a.length, { message: 'lists a scope twice' });

/** Ticket ids from common help desks: INC0012345, #4711, SR-2024-001. */
export const ticketId = z.string().regex(/^[A-Za-z0-9#][A-Za-z0-9#._:/-]{0,63}$/, 'is not a ticket id');

export const ticketUrl = z.url({ protocol: /^https?$/, hostname: z.regexes.domain }).max(2048);

export const ticket = z.strictObject({ id: ticketId, url: ticketUrl.optional() });

/** base64url without padding. */
export const base64url = (minLen: number, maxLen: number) =>
  z.string().min(minLen).max(maxLen).regex(/^[A-Za-z0-9_-]+$/, 'is not base64url');

/** Raw 32-byte Ed25519 public key, base64url: 43 characters. */
export const publicKey = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'is not a base64url Ed25519 public key');

/** Ed25519 signature (64 bytes), base64url: 86 characters. */
/** A key fingerprint as keyFingerprint() prints it: 20 base32 characters in groups of four. */
export const keyFingerprintText = z.string().regex(/^[A-Z2-7]{4}(?:-[A-Z2-7]{4}){4}$/, 'is not a key fingerprint (XXXX-XXXX-XXXX-XXXX-XXXX)');

export const signature = z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'is not a base64url Ed25519 signature');

/** 16..32 random bytes, base64url. */
export const nonce = base64url(22, 43);

/** Six digits, read aloud by the technician and compared by the user. */
export const verificationCode = z.string().regex(/^[0-9]{6}$/, 'must be six digits');

/** Longest technician or organisation name: fits the consent dialog's heading and identity line in full. */
export const MAX_NAME_LENGTH = 64;

/** Technician identity as the relay verified it (never as the technician claims it). */
export const technician = z.strictObject({
  id: slug,
  name: lineText(MAX_NAME_LENGTH),
  group: slug,
  org: lineText(MAX_NAME_LENGTH).optional(),
});

export const mode = z.enum(['attended', 'unattended']);

export const minutes = z.number().int().min(1).max(24 * 60);

/**
 * The agent's durable audit record behind a message (its seq and hash). The
 * relay keeps it, so cutting records off the end of the agent log shows.
 */
export const auditAnchor = z.strictObject({
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'is not a lowercase hex sha256'),
});
export type AuditAnchor = z.infer<typeof auditAnchor>;
