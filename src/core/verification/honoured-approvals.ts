// Every manager approval this device has honoured, by token hash, with how many
// sessions each has started, so an approval limited to N uses (`approve --uses N`)
// is refused here after N even if the relay forgets to count (defence in depth).
// Persisted in the data dir (temp file, fsync, rename), parsed with zod on load.
// A damaged file is kept beside it, never overwritten, and every approval issued
// before the moment it was found is refused: its uses may have been lost.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { approvalUses, type ApprovalToken } from '../../protocol/approval.js';
import { approvalTokenSha256 } from '../../protocol/signed-messages.js';
import type { Clock } from '../../shared/clock.js';

const fileSchema = z.strictObject({
  v: z.literal(1),
  /** Approvals issued before this (ms) are refused: a damaged file may have held their uses. */
  distrustBefore: z.number().int().min(0),
  approvals: z.record(
    z.string().regex(/^[0-9a-f]{64}$/),
    z.strictObject({ used: z.number().int().min(1), expiresAt: z.number().int() }),
  ),
});

/** Bound on remembered approvals; expired ones are dropped first, a full store refuses new approvals. */
export const MAX_HONOURED_APPROVALS = 10_000;

export type HonourCheck =
  { ok: true; use: number; of: number } | { ok: false; reason: 'used-up' | 'distrusted' | 'full'; used: number; of: number };

/** The use could not be made durable: the caller must not honour the approval. */
export class HonouredApprovalsWriteError extends Error {
  readonly code = 'honoured-approvals-unwritable';
  constructor(cause: unknown) {
    super(`the record of honoured approvals could not be written: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export class HonouredApprovals {
  private approvals = new Map<string, { used: number; expiresAt: number }>();
  private distrustBefore = 0;
  /** Where a damaged file was moved, for the audit log. */
  keptDamagedFile: string | undefined;
  /** A damaged file that could not be moved aside: never written over, so nothing is honoured. */
  private damagedInPlace = false;

  private constructor(
    private readonly path: string,
    private readonly clock: Clock,
  ) {}

  static open(path: string, clock: Clock): HonouredApprovals {
    const store = new HonouredApprovals(path, clock);
    let text: string | undefined;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') store.distrustBefore = clock.now();
      return store;
    }
    const parsed = fileSchema.safeParse(parseJson(text));
    if (parsed.success) {
      store.distrustBefore = parsed.data.distrustBefore;
      for (const [hash, entry] of Object.entries(parsed.data.approvals)) store.approvals.set(hash, entry);
      return store;
    }
    store.distrustBefore = clock.now();
    store.keepDamaged();
    return store;
  }

  /** May this approval start one more session? (Does not count it: see honour.) */
  check(token: ApprovalToken): HonourCheck {
    const of = approvalUses(token.payload);
    const used = this.approvals.get(approvalTokenSha256(token))?.used ?? 0;
    if (Date.parse(token.payload.issuedAt) < this.distrustBefore) return { ok: false, reason: 'distrusted', used, of };
    if (used >= of) return { ok: false, reason: 'used-up', used, of };
    if (used === 0 && this.liveCount() >= MAX_HONOURED_APPROVALS) return { ok: false, reason: 'full', used, of };
    return { ok: true, use: used + 1, of };
  }

  /** Count one use, durably before returning; throws HonouredApprovalsWriteError when it can't. */
  honour(token: ApprovalToken): HonourCheck {
    const verdict = this.check(token);
    if (!verdict.ok) return verdict;
    const hash = approvalTokenSha256(token);
    const before = this.approvals.get(hash);
    this.approvals.set(hash, { used: verdict.use, expiresAt: Date.parse(token.payload.expiresAt) });
    try {
      this.write();
    } catch (err) {
      if (before) this.approvals.set(hash, before);
      else this.approvals.delete(hash);
      throw new HonouredApprovalsWriteError(err);
    }
    return verdict;
  }

  private liveCount(): number {
    const now = this.clock.now();
    for (const [k, v] of this.approvals) if (v.expiresAt < now) this.approvals.delete(k);
    return this.approvals.size;
  }

  private keepDamaged(): void {
    const kept = `${this.path}.damaged-${this.clock.now()}`;
    try {
      renameSync(this.path, kept);
      this.keptDamagedFile = kept;
    } catch {
      this.damagedInPlace = true;
    }
  }

  private write(): void {
    if (this.damagedInPlace) throw new Error(`${this.path} is damaged and could not be moved aside`);
    this.liveCount();
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      const body = { v: 1, distrustBefore: this.distrustBefore, approvals: Object.fromEntries(this.approvals) };
      writeSync(fd, `${JSON.stringify(body)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
