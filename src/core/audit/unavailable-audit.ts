// The audit sink an agent runs with when its audit log could not be opened
// (directory not writable, disk full, bad path): every append fails, so the
// core declines every request with audit-unavailable and grants nothing,
// while the technician still gets a clear answer instead of an offline agent.
import { AuditUnavailableError, type AuditSink } from './audit-log.js';

export class UnavailableAudit implements AuditSink {
  constructor(readonly detail: string) {}

  append(): Promise<never> {
    return Promise.reject(new AuditUnavailableError(this.detail));
  }
}
