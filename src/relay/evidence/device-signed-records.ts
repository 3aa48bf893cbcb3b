// The device's signatures in an evidence bundle (issue 17): each decision,
// session start, scope update, summary, user message and resolution record keeps the signature of the
// frame it was made from and the enrolled key it verified under. Offline, the
// signed message is rebuilt from the record and checked against that key, and
// the key must be one the bundle's device section says the device enrolled
// with (or was re-keyed to by an admin). So an auditor can prove the user's
// device said "accepted", not only the relay.
import { verifyDeviceMessage, type DeviceSignable } from '../../protocol/device-signatures.js';
import { keyFingerprint } from '../../protocol/signing.js';
import type { AuditRecord } from '../audit/audit-record.js';
import type { DeviceEvidence } from './bundle-schema.js';

export const DEVICE_SIGNED_KINDS = ['decision', 'session-started', 'scope-update', 'session-summary', 'user-message', 'resolution'] as const;
type SignedKind = (typeof DEVICE_SIGNED_KINDS)[number];
type SignedRecord = AuditRecord<SignedKind>;

const isSignedKind = (r: AuditRecord): r is SignedRecord => (DEVICE_SIGNED_KINDS as readonly string[]).includes(r.kind);

/** Only the keys that are set: the device signed the frame without the absent optional fields. */
const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The frame the device signed, as the record keeps it (`id` is outside the signed bytes). */
export function deviceSignedMessageOf(r: SignedRecord): DeviceSignable | undefined {
  const audit = r.data.agentAudit;
  const deviceSig = r.data.deviceSig ? { requestId: r.data.deviceSig.requestId, nonce: r.data.deviceSig.nonce, sig: r.data.deviceSig.sig } : undefined;
  const head = { v: 1 as const, id: 'evidence' };
  switch (r.kind) {
    case 'decision': {
      if (r.requestId === null) return undefined;
      const d = (r as AuditRecord<'decision'>).data;
      return defined({
        ...head, type: 'session.decision' as const, requestId: r.requestId, outcome: d.outcome, granted: d.granted, declined: d.declined,
        decidedBy: d.decidedBy, decidedAt: d.decidedAt, code: d.code, detail: d.detail, sessionId: r.sessionId ?? undefined,
        grantedMinutes: d.grantedMinutes, approvalPath: d.approvalPath, audit, deviceSig,
      });
    }
    case 'session-started': {
      if (r.requestId === null || r.sessionId === null) return undefined;
      const d = (r as AuditRecord<'session-started'>).data;
      return defined({
        ...head, type: 'session.started' as const, sessionId: r.sessionId, requestId: r.requestId, scopes: d.scopes, mode: d.mode,
        startedAt: d.startedAt, endsAt: d.endsAt, audit, deviceSig,
      });
    }
    case 'scope-update': {
      if (r.sessionId === null) return undefined;
      const d = (r as AuditRecord<'scope-update'>).data;
      return defined({
        ...head, type: 'session.scope-update' as const, sessionId: r.sessionId, change: d.change, scopes: d.scopes, granted: d.granted,
        endsAt: d.endsAt, requestId: d.answers, audit, deviceSig,
      });
    }
    case 'session-summary': {
      const d = (r as AuditRecord<'session-summary'>).data;
      return defined({ ...head, type: 'session.summary' as const, summary: d.summary, audit, deviceSig });
    }
    case 'user-message': {
      if (r.sessionId === null) return undefined;
      const d = (r as AuditRecord<'user-message'>).data;
      return defined({ ...head, type: 'session.user-message' as const, sessionId: r.sessionId, text: d.text, at: d.at, quick: d.quick, audit, deviceSig });
    }
    case 'resolution': {
      if (r.sessionId === null) return undefined;
      const d = (r as AuditRecord<'resolution'>).data;
      return defined({
        ...head, type: 'session.resolution' as const, sessionId: r.sessionId, solved: d.solved, rating: d.rating, comment: d.comment, at: d.at,
        audit, deviceSig,
      });
    }
  }
}

/** A decision the relay made itself (expiry) grants nothing and no device signed it. */
const relayMade = (r: SignedRecord) => r.kind === 'decision' && (r as AuditRecord<'decision'>).data.granted.length === 0;

/** The fingerprints a device's signatures may be made with: its enrolled key and every audited re-key. */
function keysOf(d: DeviceEvidence): Set<string> {
  const keys = new Set([d.fingerprint]);
  for (const r of d.rekeys) keys.add(r.from).add(r.to);
  return keys;
}

export interface DeviceSignatureProblem {
  seq: number;
  reason: string;
}

/** Every device-signed record of the bundle, checked offline; one problem per record that fails. */
export function checkDeviceSignatures(records: readonly AuditRecord[], devices: readonly DeviceEvidence[]): DeviceSignatureProblem[] {
  const problems: DeviceSignatureProblem[] = [];
  const byId = new Map(devices.map((d) => [d.deviceId, d]));
  for (const r of records) {
    if (!isSignedKind(r)) continue;
    const sig = r.data.deviceSig;
    if (!sig) {
      if (!relayMade(r)) problems.push({ seq: r.seq, reason: `${r.kind} carries no device signature: only the relay says the device sent it` });
      continue;
    }
    const device = r.deviceId === null ? undefined : byId.get(r.deviceId);
    const fp = keyFingerprint(sig.devicePublicKey);
    if (!device) {
      problems.push({ seq: r.seq, reason: `${r.kind}: the bundle holds no enrolled key for device ${r.deviceId ?? '(none)'}` });
      continue;
    }
    if (!keysOf(device).has(fp)) {
      problems.push({ seq: r.seq, reason: `${r.kind} is signed by key ${fp}, which device ${device.deviceId} never enrolled with (enrolled: ${device.fingerprint})` });
      continue;
    }
    const msg = deviceSignedMessageOf(r);
    const verdict = msg
      ? verifyDeviceMessage(msg, { deviceId: device.deviceId, devicePublicKey: sig.devicePublicKey, ...(r.requestId ? { requestId: r.requestId } : {}) })
      : ({ ok: false, detail: `${r.kind} lacks the request or session it belongs to` } as const);
    if (!verdict.ok) problems.push({ seq: r.seq, reason: `${verdict.detail} (device ${device.deviceId}, key ${fp})` });
  }
  return problems;
}
