// Writing the central audit: the router says what happened in whose context;
// this fills the envelope and stamps the relay's time.
import type { AuditData, AuditKind, AuditRecord } from './audit-record.js';
import type { RelayStorage } from '../storage/storage.js';
import { auditWriteFault } from './audit-write-fault.js';

export interface AuditContext {
  ticketId?: string | null;
  deviceId?: string | null;
  technicianId?: string | null;
  requestId?: string | null;
  sessionId?: string | null;
}

export class CentralAudit {
  constructor(
    private readonly storage: RelayStorage,
    private readonly now: () => number,
  ) {}

  /** Rejects with a StorageUnavailableError (code `audit-unavailable`, the cause in words) when the disk or database fails. */
  async record<K extends AuditKind>(kind: K, ctx: AuditContext, data: AuditData<K>): Promise<AuditRecord> {
    try {
      return await this.append(kind, ctx, data);
    } catch (err) {
      throw auditWriteFault(err) ?? err;
    }
  }

  private append<K extends AuditKind>(kind: K, ctx: AuditContext, data: AuditData<K>): Promise<AuditRecord> {
    return this.storage.appendAudit({
      kind,
      at: new Date(this.now()).toISOString(),
      ticketId: ctx.ticketId ?? null,
      deviceId: ctx.deviceId ?? null,
      technicianId: ctx.technicianId ?? null,
      requestId: ctx.requestId ?? null,
      sessionId: ctx.sessionId ?? null,
      // Round-trip drops undefined keys, so the hashed form equals the stored form.
      data: JSON.parse(JSON.stringify(data)) as AuditData<K>,
    } as Parameters<RelayStorage['appendAudit']>[0]);
  }
}
