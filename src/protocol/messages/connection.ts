// Wire protocol v1 (messages.ts): The connection: the relay's challenge, hellos, welcome, device keys.
import { z } from 'zod';
import { base64url, identifier, MAX_NAME_LENGTH, isoTimestamp, keyFingerprintText, lineText, nonce, publicKey, scopeList, signature, technician, ticketId } from '../primitives.js';
import { header } from './header.js';

// ---- connection ------------------------------------------------------------

/** WebSocket subprotocol agents connect with: the relay answers it with a `challenge` first. */
export const AGENT_SUBPROTOCOL = 'porchlight.agent.v1';

export const CHANNEL_BINDINGS = ['tls-exporter', 'none'] as const;
export type ChannelBinding = (typeof CHANNEL_BINDINGS)[number];

/**
 * Relay -> agent, first frame on a connection opened with the agent
 * subprotocol: a fresh random challenge the hello proof must sign, so a
 * recorded hello is worthless on any other connection.
 */
export const challengeSchema = z.strictObject({
  ...header('challenge'),
  challenge: base64url(43, 43),
  relayKeyFingerprint: keyFingerprintText,
  /** `tls-exporter`: the relay's socket is TLS and the proof must cover its exported keying material. */
  channelBinding: z.enum(CHANNEL_BINDINGS),
  serverTime: isoTimestamp,
});

/**
 * Agent -> relay: proves possession of the device key on this connection. The
 * proof signs {deviceId, devicePublicKey, nonce, issuedAt, challenge,
 * relayKeyFingerprint, channelBinding, tlsExporter} (see hello-proof.ts).
 */
export const agentHelloSchema = z.strictObject({
  ...header('hello'),
  role: z.literal('agent'),
  deviceId: identifier,
  devicePublicKey: publicKey,
  agentVersion: lineText(40),
  issuedAt: isoTimestamp,
  nonce,
  /** The challenge of this connection, echoed. */
  challenge: base64url(43, 43),
  proof: signature,
  /** One-time token from `porchlight relay enroll-device`, on first connect only. */
  enrollmentToken: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/).optional(),
});

/** Technician (CLI or console) -> relay: bearer API token from `relay add-technician`. */
export const technicianHelloSchema = z.strictObject({
  ...header('hello'),
  role: z.literal('technician'),
  token: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  /** TOTP code (RFC 6238), when the technician has a second factor enrolled. */
  otp: z.string().regex(/^\d{6}$/).optional(),
  client: lineText(60).optional(),
});

export const helloSchema = z.union([agentHelloSchema, technicianHelloSchema]);

export const welcomeSchema = z.strictObject({
  ...header('welcome'),
  role: z.enum(['agent', 'technician']),
  serverTime: isoTimestamp,
  heartbeatSec: z.number().int().min(1).max(300),
  deviceId: identifier.optional(),
  technician: technician.optional(),
  relayKeyFingerprint: keyFingerprintText.optional(),
  /** Technicians: when their token stops working (the CLI warns in the last 14 days). */
  tokenExpiresAt: isoTimestamp.optional(),
  /** Technicians: whether this sign-in proved a second factor. */
  mfa: z.boolean().optional(),
  /** Technicians: the scopes their group may request (the console offers only these). */
  scopes: scopeList.optional(),
});

/**
 * The device's signature over an agent message (device-signatures.ts): bound
 * to the request it answers and that request's nonce.
 */
export const deviceSignatureSchema = z.strictObject({ requestId: identifier, nonce, sig: signature });
export type DeviceSignature = z.infer<typeof deviceSignatureSchema>;

/** Technician -> relay: which key is this device enrolled with? */
export const techDeviceKeySchema = z.strictObject({
  ...header('tech.device-key'),
  deviceId: identifier,
});

/** The most devices one `devices` answer lists (the console searches for the rest). */
export const MAX_LISTED_DEVICES = 200;

/** Technician -> relay: the enrolled devices, optionally those whose id contains `search`. */
export const techDevicesSchema = z.strictObject({
  ...header('tech.devices'),
  search: lineText(64).optional(),
});

/** Relay -> technician: enrolled devices, online first then by last seen; at most MAX_LISTED_DEVICES. */
export const devicesSchema = z.strictObject({
  ...header('devices'),
  re: identifier,
  devices: z
    .array(
      z.strictObject({
        deviceId: identifier,
        online: z.boolean(),
        lastSeenAt: isoTimestamp.nullable(),
        /** Set when the relay refused the device for its clock a short while ago (ms, + ahead). */
        clockSkewMs: z.number().int().optional(),
        /** Set while the device is in a session this relay instance routes: with whom, for which ticket. */
        session: z.strictObject({ technicianName: lineText(MAX_NAME_LENGTH), ticketId }).optional(),
      }),
    )
    .max(MAX_LISTED_DEVICES),
  /** More devices matched than are listed. */
  truncated: z.boolean(),
});

/** One audited re-key, as the relay's central audit holds it. */
export const rekeyRecordSchema = z.strictObject({ at: isoTimestamp, from: keyFingerprintText, to: keyFingerprintText });

/** Relay -> technician: the enrolled device key and its audited re-keys (newest last). */
export const deviceKeySchema = z.strictObject({
  ...header('device.key'),
  deviceId: identifier,
  publicKey,
  fingerprint: keyFingerprintText,
  enrolledAt: isoTimestamp,
  rekeys: z.array(rekeyRecordSchema).max(20),
});

