// Rows both storages read the same way (column names are shared by the SQLite and PostgreSQL schemas).
import { z } from 'zod';
import { scopeList } from '../../protocol/primitives.js';
import type { DeviceRecord, EnrollmentRecord, TechnicianRecord } from './storage.js';

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
});

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
  return tech;
}
