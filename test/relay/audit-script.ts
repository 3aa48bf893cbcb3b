// Writes central audit records through the relay's storage interface at
// chosen times, as the router would: one helper per event, plus `session()`
// for the usual request -> decision -> start -> end sequence.
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { signDeviceMessage } from '../../src/protocol/device-signatures.js';
import type { DecidedBy, Outcome } from '../../src/protocol/messages.js';
import type { Ed25519KeyPair } from '../../src/protocol/signing.js';
import { deviceSignedMessageOf } from '../../src/relay/evidence/device-signed-records.js';
import type { Scope } from '../../src/protocol/scopes.js';
import type { AuditData, AuditEntry, AuditKind, AuditRecord, SessionMode } from '../../src/relay/audit/audit-record.js';
import type { RelayStorage } from '../../src/relay/storage/storage.js';

export const TECHS: Record<string, { id: string; name: string; group: string }> = {
  alice: { id: 'alice', name: 'Alice Moreau', group: 'helpdesk' },
  bob: { id: 'bob', name: 'Bob Okafor', group: 'desktop' },
  carol: { id: 'carol', name: 'Carol Lin', group: 'infra' },
};

/** One fixed key per device id, so several scripts writing to one store agree on it. */
export function scriptedDeviceKey(deviceId: string): Ed25519KeyPair {
  const seed = createHash('sha256').update(`scripted-device:${deviceId}`).digest();
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const jwk = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' });
  return { publicKey: jwk.x!, privateKey: seed.toString('base64url') };
}

const plus = (iso: string, sec: number) => new Date(Date.parse(iso) + sec * 1000).toISOString();

export interface SessionSpec {
  at: string;
  ticket: string;
  device: string;
  tech: keyof typeof TECHS;
  mode?: SessionMode;
  scopes: Scope[];
  /** Seconds from request to decision; omit for a request that never got one. */
  decideAfter?: number;
  outcome?: Outcome;
  decidedBy?: DecidedBy;
  granted?: Scope[];
  /** Session length in seconds when it starts (accepted/partial). */
  lasts?: number;
  endedBy?: 'user' | 'technician' | 'expiry';
  files?: Array<{ name: string; size: number; direction: 'to-device' | 'from-device'; allowed: boolean | null; code?: 'policy-blocked' }>;
  /** Unattended: the maintenance task the request names. */
  maintenance?: { taskId: string; targets?: string[] };
  /** The decision's code and, for a manager approval, its path (issue 20). */
  code?: 'approval-not-used';
  approvalPath?: 'user-declined' | 'user-accepted' | 'no-answer';
}

export class AuditScript {
  private n = 0;
  /** `prefix` keeps request and session ids unique when several scripts write to one store. */
  constructor(
    private readonly storage: RelayStorage,
    private readonly prefix = '',
  ) {}

  append<K extends AuditKind>(kind: K, at: string, ctx: { ticketId?: string | null; deviceId?: string | null; technicianId?: string | null; requestId?: string | null; sessionId?: string | null }, data: AuditData<K>): Promise<AuditRecord> {
    return this.storage.appendAudit({
      kind,
      at,
      ticketId: ctx.ticketId ?? null,
      deviceId: ctx.deviceId ?? null,
      technicianId: ctx.technicianId ?? null,
      requestId: ctx.requestId ?? null,
      sessionId: ctx.sessionId ?? null,
      data: JSON.parse(JSON.stringify(data)),
    } as AuditEntry);
  }

  /**
   * Append a record the device signed, as the router does: the device's signature over the frame the record
   * keeps, bound to the request (and a request nonce), with the enrolled key it verified under.
   */
  async signed<K extends 'decision' | 'session-started' | 'resolution'>(kind: K, at: string, ctx: Parameters<AuditScript['append']>[2], data: AuditData<K>): Promise<AuditRecord> {
    const deviceId = ctx.deviceId!;
    const key = scriptedDeviceKey(deviceId);
    await this.storage.registerDevice({ deviceId, publicKey: key.publicKey, enrolledAt: '2026-01-01T00:00:00.000Z', lastSeenAt: null });
    const unsigned = { seq: 0, prevHash: '', hash: '', at, kind, ticketId: null, deviceId, technicianId: null, requestId: ctx.requestId ?? null, sessionId: ctx.sessionId ?? null, data } as unknown as AuditRecord<K>;
    const msg = deviceSignedMessageOf(unsigned)!;
    const nonce = createHash('sha256').update(`nonce:${ctx.requestId}`).digest('base64url').slice(0, 24);
    const { deviceSig } = signDeviceMessage(msg, { deviceId, requestId: ctx.requestId!, nonce }, key);
    return this.append(kind, at, ctx, { ...data, deviceSig: { ...deviceSig, devicePublicKey: key.publicKey } } as AuditData<K>);
  }

  /** A request and whatever follows it; returns its ids. */
  async session(s: SessionSpec): Promise<{ requestId: string; sessionId: string | null }> {
    const k = ++this.n;
    const requestId = `${this.prefix}req-${k}`;
    const tech = TECHS[s.tech]!;
    const mode = s.mode ?? 'attended';
    const base = { ticketId: s.ticket, deviceId: s.device, technicianId: tech.id, requestId };
    await this.append('request', s.at, base, {
      technician: tech,
      ticket: { id: s.ticket },
      mode,
      scopes: s.scopes,
      reason: `Support for ${s.ticket}`,
      estimatedMinutes: 30,
      ...(mode === 'emergency' ? { approval: { kind: 'emergency' as const, justification: 'Server down, users blocked', incident: 'SEC-1' } } : {}),
      ...(s.maintenance ? { maintenance: s.maintenance } : {}),
      issuedAt: s.at,
      expiresAt: plus(s.at, 120),
    });
    if (s.decideAfter === undefined || !s.outcome) return { requestId, sessionId: null };
    const decidedAt = plus(s.at, s.decideAfter);
    const granted = s.granted ?? (s.outcome === 'accepted' ? s.scopes : []);
    const declined = s.scopes.filter((x) => !granted.includes(x));
    const starts = granted.length > 0 && (s.outcome === 'accepted' || s.outcome === 'partial');
    const sessionId = starts ? `${this.prefix}ses-${k}` : null;
    await this.signed('decision', decidedAt, { ...base, sessionId }, { outcome: s.outcome, granted, declined, decidedBy: s.decidedBy ?? 'user', decidedAt, ...(s.code ? { code: s.code } : {}), ...(s.approvalPath ? { approvalPath: s.approvalPath } : {}) });
    if (!sessionId) return { requestId, sessionId };
    const ctx = { ...base, sessionId };
    const startedAt = plus(decidedAt, 1);
    const lasts = s.lasts ?? 600;
    await this.signed('session-started', startedAt, ctx, { scopes: granted, mode: mode === 'attended' ? 'attended' : 'unattended', startedAt, endsAt: plus(startedAt, 1800) });
    let t = 2;
    for (const [i, f] of (s.files ?? []).entries()) {
      const transferId = `${this.prefix}ft-${k}-${i}`;
      await this.append('file-transfer', plus(startedAt, t++), ctx, { transferId, name: f.name, size: f.size, sha256: String(k * 10 + i).padStart(64, 'a'), direction: f.direction });
      if (f.allowed !== null) await this.append('file-transfer-result', plus(startedAt, t++), ctx, { transferId, allowed: f.allowed, ...(f.code ? { code: f.code } : {}) });
    }
    await this.append('session-end', plus(startedAt, lasts), ctx, { by: s.endedBy ?? 'user' });
    return { requestId, sessionId };
  }

  close(at: string, ticket: string, tech: keyof typeof TECHS, outcome: 'resolved' | 'follow-up' | 'escalated', sessionId?: string | null): Promise<AuditRecord> {
    return this.append('close', at, { ticketId: ticket, technicianId: tech, sessionId: sessionId ?? null }, { outcome });
  }

  /** The user's answer on the summary page after `session` (issue 20). */
  resolution(at: string, ticket: string, tech: keyof typeof TECHS, device: string, session: { requestId: string; sessionId: string | null }, solved: boolean, rating?: number): Promise<AuditRecord> {
    const ctx = { ticketId: ticket, technicianId: tech, deviceId: device, requestId: session.requestId, sessionId: session.sessionId };
    // Device-signed, as the router records it.
    return this.signed('resolution', at, ctx, { solved, at, ...(rating !== undefined ? { rating } : {}) });
  }

  cancel(at: string, ticket: string, tech: keyof typeof TECHS, device: string, requestId: string): Promise<AuditRecord> {
    return this.append('cancel', at, { ticketId: ticket, technicianId: tech, deviceId: device, requestId }, {});
  }

  agentGone(at: string, ticket: string, tech: keyof typeof TECHS, device: string, requestId: string): Promise<AuditRecord> {
    return this.append('rejected', at, { ticketId: ticket, technicianId: tech, deviceId: device, requestId }, { action: 'decision', code: 'agent-offline', detail: 'agent disconnected before deciding' });
  }

  refused(at: string, ticket: string, tech: keyof typeof TECHS, device: string): Promise<AuditRecord> {
    return this.append('rejected', at, { ticketId: ticket, technicianId: tech, deviceId: device }, { action: 'tech.request', code: 'agent-offline', detail: `device ${device} is not connected` });
  }
}
