// Everything the relay keeps, behind one interface: node:sqlite by default
// (sqlite-storage.ts); a PostgreSQL implementation can replace it without
// touching routing. Methods are synchronous-looking promises so a network
// database fits the same shape.
import type { Scope } from '../../protocol/scopes.js';
import type { SignedAgreedWindow } from '../../protocol/messages.js';
import type { AuditEntry, AuditKind, AuditRecord } from '../audit/audit-record.js';

export interface TechnicianRecord {
  id: string;
  name: string;
  group: string;
  org?: string;
  /** Scopes this technician may request. */
  scopes: Scope[];
  /** Whether this technician may request unattended (approval or emergency) sessions. */
  unattended: boolean;
  /** sha256 hex of the API token; the token itself is never stored. */
  tokenHash: string;
  createdAt: string;
  disabled: boolean;
  /** The token stops working at this instant (ISO); absent: never (accounts made before expiry existed). */
  tokenExpiresAt?: string;
  /** A temporary account disables itself at this instant (ISO). */
  disableAt?: string;
  lastSignInAt?: string;
  /** After `rotate-token --grace`: the old token's hash, accepted until `previousTokenUntil`. */
  previousTokenHash?: string;
  previousTokenUntil?: string;
  /** TOTP (RFC 6238) secret, base32; only the relay and the technician's authenticator hold it. */
  mfaSecret?: string;
  mfaEnrolledAt?: string;
  /** The newest TOTP time step accepted: a code is good once (no replay within its window). */
  mfaLastStep?: number;
}

/** Fields an admin command may change; `null` clears an optional one. */
export type TechnicianChange = Partial<{
  name: string;
  group: string;
  org: string | null;
  scopes: Scope[];
  unattended: boolean;
  tokenHash: string;
  disabled: boolean;
  tokenExpiresAt: string | null;
  disableAt: string | null;
  previousTokenHash: string | null;
  previousTokenUntil: string | null;
  mfaSecret: string | null;
  mfaEnrolledAt: string | null;
  mfaLastStep: number | null;
}>;

export interface DeviceRecord {
  deviceId: string;
  publicKey: string;
  enrolledAt: string;
  lastSeenAt: string | null;
}

/** `enroll`: first key for a device; `rekey`: an admin's explicit, audited permission to replace its key. */
export type EnrollmentPurpose = 'enroll' | 'rekey';

export interface EnrollmentRecord {
  deviceId: string;
  tokenHash: string;
  createdAt: string;
  expiresAt: string;
  /** Default `enroll`. */
  purpose?: EnrollmentPurpose;
}

/** A signed statement "the audit chain's head at seq N has hash H" (issue 9 evidence). */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  at: string;
  relayPublicKey: string;
  sig: string;
}

/** A window the user agreed to in advance (issue 20): the device-signed record, and when the user cancelled it. */
/** Uses taken of one manager approval (approve --uses N), by its token hash. */
export interface ApprovalUses {
  tokenSha256: string;
  uses: number;
  maxUses: number;
  expiresAt: string;
}

export interface StoredAgreedWindow {
  signed: SignedAgreedWindow;
  revokedAt: string | null;
}

export interface AuditQuery {
  ticketId?: string;
  sessionId?: string;
  requestId?: string;
  deviceId?: string;
  technicianId?: string;
  kinds?: readonly AuditKind[];
  /** Inclusive lower bound on `at` (ISO). */
  from?: string;
  /** Exclusive upper bound on `at` (ISO). */
  to?: string;
  /** Inclusive seq bounds, for chain ranges. */
  fromSeq?: number;
  toSeq?: number;
}

export interface RelayStorage {
  // technicians
  addTechnician(tech: TechnicianRecord): Promise<void>;
  /** Matches the current token's hash, or a rotated-out one's (the caller checks its grace). */
  findTechnicianByTokenHash(tokenHash: string): Promise<TechnicianRecord | null>;
  getTechnician(id: string): Promise<TechnicianRecord | null>;
  listTechnicians(): Promise<TechnicianRecord[]>;
  /** False when no technician has that id. */
  updateTechnician(id: string, change: TechnicianChange): Promise<boolean>;
  removeTechnician(id: string): Promise<boolean>;
  recordTechnicianSignIn(id: string, at: string): Promise<void>;
  /** Take TOTP step `step` for this technician: true once, only if it is newer than every step taken before (atomic). */
  claimOtpStep(id: string, step: number): Promise<boolean>;

  // devices and one-time enrollment
  addEnrollment(enrollment: EnrollmentRecord): Promise<void>;
  /** Consume a matching, unexpired enrollment of this purpose (default `enroll`) for this device; true once, false forever after. */
  consumeEnrollment(deviceId: string, tokenHash: string, now: string, purpose?: EnrollmentPurpose): Promise<boolean>;
  registerDevice(device: DeviceRecord): Promise<void>;
  getDevice(deviceId: string): Promise<DeviceRecord | null>;
  listDevices(): Promise<DeviceRecord[]>;
  /** Unspent one-time tokens (hashes only), for copying a relay's data elsewhere. */
  listEnrollments(): Promise<EnrollmentRecord[]>;
  touchDevice(deviceId: string, at: string): Promise<void>;

  // windows users agreed to in advance (issue 20)
  /** Keep a device-signed window; the same windowId again changes nothing (a re-sent decision). */
  addAgreedWindow(signed: SignedAgreedWindow): Promise<void>;
  /** Mark this device's window cancelled at `at`: true once, false if unknown, another device's, or already cancelled. */
  revokeAgreedWindow(windowId: string, deviceId: string, at: string): Promise<boolean>;
  /** This device's windows, oldest start first (cancelled ones included, with revokedAt). */
  listAgreedWindows(deviceId: string): Promise<StoredAgreedWindow[]>;

  // manager approvals limited to N sessions (approve --uses N)
  /**
   * Take one use of the approval with this token hash if fewer than `maxUses` are taken (atomic across
   * instances): the use's number, or null when it is used up. Rows past `expiresAt` are forgotten first.
   */
  claimApprovalUse(tokenSha256: string, maxUses: number, expiresAt: string, now: string): Promise<number | null>;
  /** Give a use back: the device's user decided, so the approval did not start the session. */
  releaseApprovalUse(tokenSha256: string): Promise<void>;
  /** Every approval's count, for `relay migrate`. */
  listApprovalUses(): Promise<ApprovalUses[]>;
  /** Put a counted approval back as it was (`relay migrate` into an empty database). */
  importApprovalUses(rows: readonly ApprovalUses[]): Promise<void>;

  // central audit (hash-chained, append-only apart from retention)
  appendAudit(entry: AuditEntry): Promise<AuditRecord>;
  queryAudit(query: AuditQuery): Promise<AuditRecord[]>;
  /** The newest record's seq and hash, or null when the log is empty. */
  auditHead(): Promise<{ seq: number; hash: string } | null>;
  /** Delete records older than `before` (retention); returns how many went. */
  pruneAudit(before: string): Promise<number>;
  addCheckpoint(checkpoint: AuditCheckpoint): Promise<void>;
  /** The newest checkpoint whose seq is >= `minSeq` (default any). */
  latestCheckpoint(minSeq?: number): Promise<AuditCheckpoint | null>;
  /** The oldest checkpoint whose seq is >= `seq`: the shortest proof for records up to `seq`. */
  firstCheckpointFrom(seq: number): Promise<AuditCheckpoint | null>;

  /** Connect and bring the schema up to date; the relay awaits it at start so a bad database fails early. */
  ready(): Promise<void>;
  close(): Promise<void>;
}
