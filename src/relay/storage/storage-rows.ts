// Rows both storages read the same way (column names are shared by the SQLite and PostgreSQL schemas).
import { z } from 'zod';
import type { DeviceRecord, EnrollmentRecord } from './storage.js';

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
