// What the settings window shows and sends, as data: one row per policy key a
// person might care about (their own preferences, the relay, and what IT
// decided), and the answer to a change. Browser-safe: zod only. Labels live in
// the strings table, keyed by row id; values are rendered as text.
import { z } from 'zod';
import { lineText, scope } from '../protocol/primitives.js';
import { SCOPES } from '../protocol/scopes.js';

/** Rows in display order. The first four are the ones a person may change (unless IT locked them). */
export const SETTING_ROW_IDS = [
  'startAtLogin',
  'promptTimeoutSec',
  'maxSessionMinutes',
  'allowedScopes',
  'relayUrl',
  'relayKeyFingerprint',
  'approvalsKeyFingerprint',
  'relayTlsPin',
  'unattendedAllowed',
  'emergencyAllowed',
  'fileTransferMaxBytes',
  'fileTransferRequireTicket',
  'retentionDays',
  'allowQuit',
  'itDisplayName',
  'itConsentLine',
  'itSupportPhone',
] as const;
export type SettingRowId = (typeof SETTING_ROW_IDS)[number];

/** The policy keys the settings window may change (USER_SETTABLE_KEYS). */
export const WINDOW_EDITABLE_KEYS = ['startAtLogin', 'promptTimeoutSec', 'maxSessionMinutes', 'allowedScopes'] as const satisfies readonly SettingRowId[];
export type WindowEditableKey = (typeof WINDOW_EDITABLE_KEYS)[number];

export const settingSourceSchema = z.enum(['default', 'user', 'managed']);
export type SettingSource = z.infer<typeof settingSourceSchema>;

const count = z.number().int().min(0).max(1_000_000);

const rowBase = {
  id: z.enum(SETTING_ROW_IDS),
  source: settingSourceSchema,
  /** Set by IT (managed policy or the agent config): shown with a lock. */
  locked: z.boolean(),
  /** The person may change it here: a user preference that IT did not lock. */
  editable: z.boolean(),
};

export const settingRowSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ ...rowBase, kind: z.literal('toggle'), value: z.boolean() }),
    z.strictObject({ ...rowBase, kind: z.literal('number'), value: count, min: count, max: count, unit: z.enum(['seconds', 'minutes', 'days']) }),
    z.strictObject({ ...rowBase, kind: z.literal('bytes'), value: z.number().int().min(0).max(2 ** 53 - 1) }),
    /** `options`: the scopes the person may keep (a preference can only narrow). */
    z.strictObject({ ...rowBase, kind: z.literal('scopes'), value: z.array(scope).max(SCOPES.length), options: z.array(scope).max(SCOPES.length) }),
    /** Free text shown read-only (relay URL, fingerprints, IT's own wording); null when not set. */
    z.strictObject({ ...rowBase, kind: z.literal('text'), value: lineText(2048).nullable() }),
  ])
  .refine((row) => !(row.editable && row.locked), { message: 'a locked row is never editable' });
export type SettingRow = z.infer<typeof settingRowSchema>;

export const settingsViewSchema = z.strictObject({
  rows: z.array(settingRowSchema).max(SETTING_ROW_IDS.length),
  /** Policy problems to show (invalid managed policy, unreadable store). */
  problems: z.array(lineText(500)).max(10),
});
export type SettingsView = z.infer<typeof settingsViewSchema>;

/**
 * A change the page asks for. The key is any short name (main decides whether
 * it is a user setting); the value any small JSON value (main re-validates it
 * with the policy schema).
 */
export const settingsChangeSchema = z.strictObject({
  key: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/, 'must be a policy key'),
  value: z.union([z.boolean(), z.number(), z.string().max(2048), z.array(z.string().max(64)).max(16)]),
});
export type SettingsChange = z.infer<typeof settingsChangeSchema>;

/** Why main refused a change (stable codes; the page shows a sentence for each). */
export const SETTINGS_ERROR_CODES = ['locked', 'not-user-setting', 'invalid', 'write-failed'] as const;
export type SettingsErrorCode = (typeof SETTINGS_ERROR_CODES)[number];

/** Main's answer to one change, with the row as it now is (the effective value may be narrower than asked). */
export const settingsResultSchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), key: z.enum(WINDOW_EDITABLE_KEYS), row: settingRowSchema, restartRequired: z.boolean() }),
  z.strictObject({ ok: z.literal(false), key: settingsChangeSchema.shape.key, code: z.enum(SETTINGS_ERROR_CODES), row: settingRowSchema.optional() }),
]);
export type SettingsResult = z.infer<typeof settingsResultSchema>;
