// Prepared statements kept per SQL text: preparing costs more than running the
// small lookups the relay makes per frame (a device's key, a technician's
// recent audit records). Bounded: dynamic queries (audit filters) vary in
// shape, so the cache is emptied when it fills rather than growing.
import type { DatabaseSync, StatementSync } from 'node:sqlite';

const MAX_STATEMENTS = 256;

export class SqliteStatementCache {
  private readonly statements = new Map<string, StatementSync>();

  constructor(private readonly db: DatabaseSync) {}

  get(sql: string): StatementSync {
    const kept = this.statements.get(sql);
    if (kept) return kept;
    if (this.statements.size >= MAX_STATEMENTS) this.statements.clear();
    const statement = this.db.prepare(sql);
    this.statements.set(sql, statement);
    return statement;
  }
}
