// --storage / $PORCHLIGHT_RELAY_DATABASE_URL: only a PostgreSQL URL with a host, so a typo
// is a clear error at start rather than a relay writing its audit somewhere unexpected.
import { z } from 'zod';

export class DatabaseUrlError extends Error {
  override readonly name = 'DatabaseUrlError';
  readonly code = 'bad-database-url';
}

const databaseUrl = z
  .string()
  .max(2048)
  .refine((u) => URL.canParse(u), 'is not a URL')
  .refine((u) => !URL.canParse(u) || ['postgres:', 'postgresql:'].includes(new URL(u).protocol), 'must start with postgres:// or postgresql://')
  .refine((u) => !URL.canParse(u) || new URL(u).hostname !== '', 'must name a host');

export function parseDatabaseUrl(url: string): string {
  const parsed = databaseUrl.safeParse(url);
  if (!parsed.success) throw new DatabaseUrlError(`the database URL ${parsed.error.issues[0]?.message ?? 'is not valid'} (postgres://user@host:5432/db)`);
  return parsed.data;
}

/** For the start banner: where the records are, never the password. */
export function describeDatabaseUrl(url: string): string {
  const u = new URL(url);
  return `PostgreSQL ${u.hostname}:${u.port || '5432'}${u.pathname}`;
}
