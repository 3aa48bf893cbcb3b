// Last-seen writes of agent hellos, batched: every touch asked for in one turn
// of the event loop goes into one transaction (one fsync), instead of one
// synchronous fsync per hello on the event loop: 10,000 agents reconnecting
// after an outage would otherwise block the relay for tens of seconds. Each
// caller's promise settles once its batch committed (or failed).
import type { DatabaseSync } from 'node:sqlite';

export class SqliteDeviceTouches {
  private pending = new Map<string, string>();
  private batch: Promise<void> | undefined;
  commits = 0;

  constructor(
    private readonly db: DatabaseSync,
    private readonly rollbackIfOpen: () => void,
  ) {}

  touch(deviceId: string, at: string): Promise<void> {
    this.pending.set(deviceId, at);
    this.batch ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        this.batch = undefined;
        try {
          this.flush();
          resolve();
        } catch (err) {
          reject(err);
        }
      }),
    );
    return this.batch;
  }

  /** Write what is asked for now (before the database closes). */
  flush(): void {
    if (this.pending.size === 0 || !this.db.isOpen) return;
    const touches = this.pending;
    this.pending = new Map();
    const update = this.db.prepare('UPDATE devices SET last_seen_at = ? WHERE device_id = ?');
    this.db.exec('BEGIN');
    try {
      for (const [deviceId, at] of touches) update.run(at, deviceId);
      this.db.exec('COMMIT');
      this.commits += 1;
    } catch (err) {
      this.rollbackIfOpen();
      throw err;
    }
  }
}
