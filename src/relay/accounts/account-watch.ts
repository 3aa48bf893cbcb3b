// Admin commands run in another process (or on another relay instance) and write
// to the shared storage; each relay picks their changes up from the central
// audit's `admin` records within about a second, and withdraws access at once
// from a technician who was disabled, removed, rotated out or changed. Tokens
// that expire and temporary accounts that end while connected are caught here too.
import type { RelayStorage, TechnicianRecord } from '../storage/storage.js';
import { accountState, tokenStanding } from './account-state.js';

export interface WatchedTechnician {
  readonly technicianId: string | undefined;
  /** The record this connection signed in with, and the hash of the token it used (current or in grace). */
  readonly signedInAs: TechnicianRecord | undefined;
  readonly signInTokenHash: string | undefined;
  /** Take new group, scopes or rights without dropping the connection. */
  refreshTechnician(tech: TechnicianRecord): void;
  withdraw(reason: string): void;
}

export class AccountWatch {
  private lastSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: RelayStorage,
    private readonly connections: () => Iterable<WatchedTechnician>,
    private readonly now: () => number,
    private readonly log: (line: string) => void,
  ) {}

  async start(everyMs: number): Promise<void> {
    this.lastSeq = (await this.storage.auditHead())?.seq ?? 0;
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.tick()).catch((err: unknown) => this.log(`relay: account watch failed: ${err instanceof Error ? err.message : String(err)}`));
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass: changed accounts from the admin trail, then every connected account's own clock. */
  async tick(): Promise<void> {
    const changes = await this.storage.queryAudit({ fromSeq: this.lastSeq + 1, kinds: ['admin'] });
    const changed = new Set<string>();
    for (const r of changes) {
      this.lastSeq = Math.max(this.lastSeq, r.seq);
      if (r.technicianId) changed.add(r.technicianId);
    }
    const nowMs = this.now();
    for (const conn of [...this.connections()]) {
      const id = conn.technicianId;
      const before = conn.signedInAs;
      const tokenHash = conn.signInTokenHash;
      if (!id || !before || !tokenHash) continue;
      const current = changed.has(id) ? await this.storage.getTechnician(id) : before;
      const problem = withdrawalReason(current, tokenHash, nowMs);
      if (problem) {
        this.log(`relay: access of technician ${id} withdrawn: ${problem}`);
        conn.withdraw(`the technician's access was withdrawn by IT (${problem})`);
      } else if (current && current !== before) {
        conn.refreshTechnician(current);
      }
    }
  }
}

function withdrawalReason(now: TechnicianRecord | null, tokenHash: string, nowMs: number): string | null {
  if (!now) return 'account removed';
  const state = accountState(now, nowMs);
  if (!state.ok) return state.reason === 'expired' ? 'token expired' : 'account disabled';
  if (tokenStanding(now, tokenHash, nowMs) === 'rotated') return 'token rotated';
  return null;
}
