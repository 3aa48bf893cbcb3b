// What a database failure means for the relay, in words and with a stable code. The relay answers
// `audit-unavailable` when it cannot record (nothing is forwarded that was not recorded).
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE']);

export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
  readonly code = 'audit-unavailable';
}

/** The database was migrated by a newer relay: this one must not write rows it does not understand. */
export class StorageSchemaError extends Error {
  override readonly name = 'StorageSchemaError';
  readonly code = 'storage-schema-newer';
}

/** pg errors carry SQLSTATE in `code`: class 08 connection, 53 insufficient resources, 57P admin shutdown. */
export function asStorageError(err: unknown): Error {
  if (err instanceof StorageUnavailableError || err instanceof StorageSchemaError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (UNREACHABLE.has(code) || /timeout exceeded when trying to connect|Connection terminated/i.test(message)) {
    return new StorageUnavailableError(`the relay database cannot be reached (${code || message})`, { cause: err });
  }
  if (code === '53100') return new StorageUnavailableError('the relay database is out of disk space', { cause: err });
  if (code.startsWith('53')) return new StorageUnavailableError(`the relay database is out of resources (SQLSTATE ${code})`, { cause: err });
  if (code.startsWith('08') || code.startsWith('57P')) return new StorageUnavailableError(`the relay database connection failed (SQLSTATE ${code})`, { cause: err });
  return err instanceof Error ? err : new Error(message);
}
