// `porchlight relay migrate`: copy an embedded relay's records into PostgreSQL, verbatim, and prove
// the copy: the chain verifies, it ends at the same head, and every checkpoint still matches.
import { verifyAuditChain } from '../audit/audit-record.js';
import type { PostgresStorage } from './postgres-storage.js';
import type { RelayStorage } from './storage.js';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly code: 'target-not-empty' | 'source-broken' | 'copy-mismatch',
    message: string,
  ) {
    super(message);
  }
}

export interface CopyReport {
  technicians: number;
  devices: number;
  enrollments: number;
  /** Windows users agreed to (issue 20), cancelled ones included. */
  agreedWindows: number;
  /** Manager approvals with uses counted (approve --uses N). */
  approvalUses: number;
  records: number;
  checkpoints: number;
  head: { seq: number; hash: string } | null;
}

export async function copyToPostgres(from: RelayStorage, to: PostgresStorage): Promise<CopyReport> {
  await to.ready();
  if ((await to.auditHead()) !== null || (await to.listTechnicians()).length > 0 || (await to.listDevices()).length > 0) {
    throw new MigrationError('target-not-empty', 'the PostgreSQL database already holds relay data; migrate only into an empty one');
  }
  const records = await from.queryAudit({});
  const source = verifyAuditChain(records);
  if (!source.ok) throw new MigrationError('source-broken', `the SQLite audit does not verify at seq ${source.seq} (${source.problem}); nothing was copied`);

  const technicians = await from.listTechnicians();
  const devices = await from.listDevices();
  const enrollments = await from.listEnrollments();
  for (const t of technicians) await to.addTechnician(t);
  for (const d of devices) await to.registerDevice(d);
  for (const e of enrollments) await to.addEnrollment(e);
  let agreedWindows = 0;
  for (const d of devices) {
    for (const w of await from.listAgreedWindows(d.deviceId)) {
      await to.addAgreedWindow(w.signed);
      if (w.revokedAt !== null) await to.revokeAgreedWindow(w.signed.window.windowId, d.deviceId, w.revokedAt);
      agreedWindows++;
    }
  }
  // Without the counts every approval's relay-side use limit would start again after the move.
  const approvalUses = await from.listApprovalUses();
  await to.importApprovalUses(approvalUses);
  await to.importAudit(records);
  const checkpoints = [];
  for (let cp = await from.firstCheckpointFrom(0); cp; cp = await from.firstCheckpointFrom(cp.seq + 1)) {
    await to.addCheckpoint(cp);
    checkpoints.push(cp);
  }

  // Prove it from what the target now holds, not from what was sent.
  const copied = await to.queryAudit({});
  const check = verifyAuditChain(copied);
  const head = await to.auditHead();
  const sourceHead = await from.auditHead();
  if (!check.ok || copied.length !== records.length || head?.hash !== sourceHead?.hash) {
    throw new MigrationError('copy-mismatch', `the copied audit does not match the source (${copied.length} of ${records.length} records${check.ok ? '' : `, broken at seq ${check.seq}`})`);
  }
  for (const cp of checkpoints) {
    const record = copied.find((r) => r.seq === cp.seq);
    if (record && record.hash !== cp.hash) throw new MigrationError('copy-mismatch', `checkpoint seq ${cp.seq} no longer matches its record`);
  }
  return { technicians: technicians.length, devices: devices.length, enrollments: enrollments.length, agreedWindows, approvalUses: approvalUses.length, records: records.length, checkpoints: checkpoints.length, head };
}
