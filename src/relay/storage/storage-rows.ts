// Rows both storages read the same way (column names are shared by the SQLite and PostgreSQL schemas).
import { z } from 'zod';
import { signedAgreedWindowSchema, type SignedAgreedWindow } from '../../protocol/messages.js';
import { scopeList } from '../../protocol/primitives.js';
import type { ApprovalUses, DeviceRecord, EnrollmentRecord, StoredAgreedWindow, TechnicianChange, TechnicianRecord } from './storage.js';

const deviceRow = z.object({ device_id: z.string(), public_key: z.string(), enrolled_at: z.string(), last_seen_at: z.string().nullable() });
const enrollmentRow = z.object({ token_hash: z.string(), device_id: z.string(), created_at: z.string(), expires_at: z.string(), purpose: z.enum(['enroll', 'rekey']) });

export function deviceOf(row: unknown): DeviceRecord {
  const r = deviceRow.parse(row);
  return { deviceId: r.device_id, publicKey: r.public_key, enrolledAt: r.enrolled_at, lastSeenAt: r.last_seen_at };
}

export function enrollmentOf(row: unknown): EnrollmentRecord {
  const r = enrollmentRow.parse(row);
  return { deviceId: r.device_id, tokenHash: r.token_hash, createdAt: r.created_at, expiresAt: r.expires_at, purpose: r.purpose };
}

// SQLite keeps booleans as 0/1, PostgreSQL as booleans.
const flag = z.union([z.boolean(), z.literal(0), z.literal(1)]).transform((v) => v === true || v === 1);
const technicianRow = z.object({
  id: z.string(),
  name: z.string(),
  grp: z.string(),
  org: z.string().nullable(),
  scopes: z.string(),
  unattended: flag,
  token_hash: z.string(),
  created_at: z.string(),
  disabled: flag,
  // Added by later migrations: NULL for accounts made before them.
  token_expires_at: z.string().nullable(),
  disable_at: z.string().nullable(),
  last_sign_in_at: z.string().nullable(),
  previous_token_hash: z.string().nullable(),
  previous_token_until: z.string().nullable(),
  mfa_secret: z.string().nullable(),
  mfa_enrolled_at: z.string().nullable(),
  mfa_last_step: z.coerce.number().int().nullable(),
});

/** Optional record fields and the nullable columns behind them. */
const OPTIONAL_COLUMNS = {
  tokenExpiresAt: 'token_expires_at',
  disableAt: 'disable_at',
  lastSignInAt: 'last_sign_in_at',
  previousTokenHash: 'previous_token_hash',
  previousTokenUntil: 'previous_token_until',
  mfaSecret: 'mfa_secret',
  mfaEnrolledAt: 'mfa_enrolled_at',
  mfaLastStep: 'mfa_last_step',
} as const;

/** The columns `updateTechnician` may set, by record field. */
const CHANGE_COLUMNS: Record<keyof TechnicianChange, string> = {
  name: 'name',
  group: 'grp',
  org: 'org',
  scopes: 'scopes',
  unattended: 'unattended',
  tokenHash: 'token_hash',
  disabled: 'disabled',
  ...OPTIONAL_COLUMNS,
};

/** The nullable columns each storage adds to a technicians table made before them. */
export const TECHNICIAN_LATER_COLUMNS: ReadonlyArray<{ column: string; type: 'TEXT' | 'INTEGER' }> = Object.values(OPTIONAL_COLUMNS).map(
  (column: string) => ({ column, type: column === 'mfa_last_step' ? 'INTEGER' : 'TEXT' }),
);

/** Column/value pairs for the INSERT of a whole record (a copied relay keeps every field). */
export function technicianInsertColumns(t: TechnicianRecord, bool: (v: boolean) => unknown): Array<[string, unknown]> {
  const { id, createdAt, lastSignInAt, org, ...rest } = t;
  return [
    ['id', id],
    ['created_at', createdAt],
    ['org', org ?? null],
    ...(lastSignInAt === undefined ? [] : ([['last_sign_in_at', lastSignInAt]] as Array<[string, unknown]>)),
    ...technicianChangeColumns(rest, bool),
  ];
}

/** Column/value pairs for an UPDATE; `bool` turns a flag into the storage's own boolean. */
export function technicianChangeColumns(change: TechnicianChange, bool: (v: boolean) => unknown): Array<[string, unknown]> {
  return (Object.keys(change) as Array<keyof TechnicianChange>)
    .filter((key) => change[key] !== undefined && Object.hasOwn(CHANGE_COLUMNS, key))
    .map((key) => {
      const value = change[key];
      if (key === 'scopes') return [CHANGE_COLUMNS[key], JSON.stringify(value)];
      return [CHANGE_COLUMNS[key], typeof value === 'boolean' ? bool(value) : value];
    });
}

export function technicianOf(row: unknown): TechnicianRecord {
  const r = technicianRow.parse(row);
  const tech: TechnicianRecord = {
    id: r.id,
    name: r.name,
    group: r.grp,
    scopes: scopeList.parse(JSON.parse(r.scopes)),
    unattended: r.unattended,
    tokenHash: r.token_hash,
    createdAt: r.created_at,
    disabled: r.disabled,
  };
  if (r.org !== null) tech.org = r.org;
  if (r.token_expires_at !== null) tech.tokenExpiresAt = r.token_expires_at;
  if (r.disable_at !== null) tech.disableAt = r.disable_at;
  if (r.last_sign_in_at !== null) tech.lastSignInAt = r.last_sign_in_at;
  if (r.previous_token_hash !== null) tech.previousTokenHash = r.previous_token_hash;
  if (r.previous_token_until !== null) tech.previousTokenUntil = r.previous_token_until;
  if (r.mfa_secret !== null) tech.mfaSecret = r.mfa_secret;
  if (r.mfa_enrolled_at !== null) tech.mfaEnrolledAt = r.mfa_enrolled_at;
  if (r.mfa_last_step !== null) tech.mfaLastStep = r.mfa_last_step;
  return tech;
}

const agreedWindowRow = z.object({ record: z.string(), revoked_at: z.string().nullable() });

/** A stored agreed window: the signed record is kept as JSON text and parsed back through its schema. */
export function agreedWindowOf(row: unknown): StoredAgreedWindow {
  const r = agreedWindowRow.parse(row);
  return { signed: signedAgreedWindowSchema.parse(JSON.parse(r.record)), revokedAt: r.revoked_at };
}

/** The columns of an agreed window row, in insert order. */
export function agreedWindowColumns(signed: SignedAgreedWindow): [string, string][] {
  const w = signed.window;
  return [
    ['window_id', w.windowId],
    ['device_id', w.deviceId],
    ['technician_id', w.technicianId],
    ['ticket_id', w.ticketId],
    ['starts_at', w.startsAt],
    ['ends_at', w.endsAt],
    ['record', JSON.stringify(signed)],
  ];
}

// INTEGER arrives as a number from SQLite and as a number from PostgreSQL (INTEGER, not BIGINT).
const approvalUsesRow = z.object({ token_sha256: z.string(), uses: z.coerce.number().int(), max_uses: z.coerce.number().int(), expires_at: z.string() });

export function approvalUsesOf(row: unknown): ApprovalUses {
  const r = approvalUsesRow.parse(row);
  return { tokenSha256: r.token_sha256, uses: r.uses, maxUses: r.max_uses, expiresAt: r.expires_at };
}
