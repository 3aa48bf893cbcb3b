// The agent's policy: every key, its bounds, its default and what it means.
// Effective policy = managed (MDM) over user settings over these defaults.
// MDM templates (ADMX/ADML, mobileconfig, JSON Schema) are generated from this file.
import { z } from 'zod';
import { isAbsolute } from 'node:path';
import { SCOPES } from '../../protocol/scopes.js';
import { lineText, publicKey, scope, slug } from '../../protocol/primitives.js';
import { checkRelayUrl } from '../connection/relay-url.js';

const url = z
  .string()
  .max(2048)
  .refine((s) => URL.canParse(s) && ['ws:', 'wss:'].includes(new URL(s).protocol), { message: 'must be a ws:// or wss:// URL' });

// The shipped MDM examples carry REPLACE_... values: deployed unchanged, they must not read as a key.
const notPlaceholder = (s: string) => !/REPLACE/i.test(s);
const PLACEHOLDER = 'is still a REPLACE_... placeholder from the example: put the real value here';

export const fileTransferRulesSchema = z.strictObject({
  maxBytes: z.number().int().min(0).max(10 * 1024 ** 3).describe('Largest file a technician may transfer, in bytes.'),
  blockedExtensions: z
    .array(z.string().regex(/^\.[a-z0-9]{1,16}$/, 'must look like .exe'))
    .max(200)
    .describe('File extensions that may never be transferred (lowercase, with the dot).'),
  requireTicket: z.boolean().describe('Every file transfer must name the session ticket.'),
});

/** A hook's executable: an absolute path (no PATH lookup, no shell), drive-qualified on Windows. */
function isAbsoluteExecutable(p: string): boolean {
  if (!isAbsolute(p)) return false;
  return process.platform !== 'win32' || /^[A-Za-z]:[\\/]|^\\\\[^\\]/.test(p);
}

const hookArgv = z
  .array(z.string().max(4096).refine((a) => !a.includes('\0'), 'must not contain NUL'))
  .min(1)
  .max(64)
  .refine((argv) => isAbsoluteExecutable(argv[0]!), 'the first element must be the absolute path of the executable');

export const accessHookSchema = z.strictObject({
  grant: hookArgv.describe('argv run when the scope is granted (first element: absolute path of the executable; no shell).'),
  revoke: hookArgv.describe('argv run when the scope is revoked, the session ends or expires, the agent exits, and at start for sessions left open.'),
  timeoutSec: z.number().int().min(1).max(300).describe('Seconds a hook may run before it is killed and counts as failed.'),
});
export type AccessHook = z.infer<typeof accessHookSchema>;

/** Absolute on either OS family: the policy document is written for the device it lands on. */
function isAbsoluteAnywhere(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}
const absolutePath = z.string().min(1).max(1024).refine(isAbsoluteAnywhere, 'must be an absolute path');

export const screenServerSchema = z
  .strictObject({
    host: z.enum(['127.0.0.1', '::1']).describe('Loopback address of the local VNC server (never another host).'),
    port: z.number().int().min(1).max(65535).describe('TCP port of the local VNC server (with x11vncDisplay: the port x11vnc is started on).'),
    passwordFile: absolutePath.optional().describe('An existing VNC server: file whose first line is its password (VNC authentication).'),
    x11vncDisplay: z
      .string()
      .regex(/^:\d{1,4}(\.\d{1,2})?$/, 'must look like :0')
      .optional()
      .describe('Linux: start x11vnc for this X display per session, on loopback with a one-time password, and stop it at the end.'),
    x11vncPath: absolutePath.optional().describe('The x11vnc executable (default /usr/bin/x11vnc).'),
    xauthority: absolutePath.optional().describe('XAUTHORITY file x11vnc needs to open the display, if any.'),
  })
  .refine((s) => s.passwordFile === undefined || s.x11vncDisplay === undefined, 'set passwordFile (an existing server) or x11vncDisplay (x11vnc started per session), not both');
export type ScreenServerPolicy = z.infer<typeof screenServerSchema>;

export const rateLimitSchema = z.strictObject({
  prompts: z.number().int().min(1).max(100).describe('Prompts one technician may cause per window.'),
  windowMinutes: z.number().int().min(1).max(24 * 60).describe('Length of the rate-limit window in minutes.'),
  autoDeclineAfterDeclines: z.number().int().min(1).max(100).describe('After this many declines in the window, further requests from that technician decline without a prompt.'),
});

/** IT's own wording in the consent dialog: through the same text policy as network text (text-policy.ts). */
export const IT_WORDING_LIMITS = { itDisplayName: 40, itConsentLine: 80, itSupportPhone: 24 } as const;
// Digits and the punctuation phone numbers are written with: a "phone number" can't carry a sentence.
const PHONE = /^\+?[0-9(][0-9 ()./-]*(?: ?(?:ext\.?|x) ?[0-9]{1,6})?$/;

export const policySchema = z.strictObject({
  relayUrl: url.optional().describe('WebSocket URL of the relay (wss:// required except on loopback).'),
  relayUrls: z
    .array(url)
    .min(1)
    .max(8)
    .optional()
    .describe('More relay instances, in order: when one cannot be reached or is lost the agent fails over to the next (after relayUrl; all share relayPublicKey).'),
  relayPublicKey: publicKey.refine(notPlaceholder, PLACEHOLDER).optional().describe('The relay signing key (base64url Ed25519). Requests not signed by it are rejected.'),
  relayTlsPin: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be a base64 sha256 of the relay certificate public key')
    .refine(notPlaceholder, PLACEHOLDER)
    .optional()
    .describe('Optional sha256 (base64) of the relay TLS certificate public key (SPKI) to pin.'),
  approvalsPublicKey: publicKey.refine(notPlaceholder, PLACEHOLDER).optional().describe('The IT approvals key (base64url Ed25519) that signs unattended-access approvals.'),
  allowedScopes: z.array(scope).max(SCOPES.length).describe('Scopes a technician may ask for at all.'),
  technicianGroups: z
    .record(slug, z.array(scope).max(SCOPES.length))
    .optional()
    .describe('If set: only these technician groups may connect, each limited to its listed scopes.'),
  unattendedAllowed: z.boolean().describe('Allow unattended sessions (with a manager approval token or emergency justification).'),
  unattendedGroups: z.array(slug).max(100).describe('Technician groups allowed to run unattended sessions.'),
  emergencyAllowed: z.boolean().describe('Allow unattended sessions under an emergency justification and incident id instead of an approval.'),
  requireContact: z
    .boolean()
    .describe('Attended requests must say how the technician reached the user first (phone, Teams, email, ...); without it they are blocked, and the dialog asks the user to accept only while talking to the technician.'),
  maxAgreedWindowHours: z
    .number()
    .int()
    .min(0)
    .max(24)
    .describe('Longest window (hours) a user may agree to in advance, inside which a request for that ticket, technician and scopes starts without a prompt; 0 turns agreed windows off.'),
  promptTimeoutSec: z.number().int().min(15).max(600).describe('Seconds before an unanswered prompt declines by itself.'),
  maxSessionMinutes: z.number().int().min(1).max(24 * 60).describe('Longest a session may run before it must be extended with consent.'),
  queueSize: z.number().int().min(1).max(20).describe('Requests that may wait behind the prompt on screen; more are declined.'),
  rateLimit: rateLimitSchema,
  auditDir: z.string().min(1).max(1024).optional().describe('Directory of the local audit log (default: per-OS application data).'),
  retentionDays: z.number().int().min(30).max(3650).describe('Days audit files are kept (never below 30).'),
  fileTransfer: fileTransferRulesSchema,
  accessHooks: z
    .partialRecord(scope, accessHookSchema)
    .optional()
    .describe('Admin hooks: per scope, the commands IT runs to open access on grant and close it on revoke or end.'),
  itDisplayName: lineText(IT_WORDING_LIMITS.itDisplayName)
    .optional()
    .describe("Your IT department's name as users know it (e.g. Robinson Park IT), shown at the top of the consent dialog instead of Porchlight."),
  itConsentLine: lineText(IT_WORDING_LIMITS.itConsentLine)
    .optional()
    .describe('One short line IT wants every user to read under the title of the consent dialog (e.g. We will never ask for your password).'),
  itSupportPhone: lineText(IT_WORDING_LIMITS.itSupportPhone)
    .regex(PHONE, 'must be a phone number: digits, spaces, + ( ) . / - and an optional ext. 123')
    .optional()
    .describe('The support phone number the consent dialog offers a user who is unsure ("Not sure? Call ...").'),
  screenServer: screenServerSchema
    .optional()
    .describe('Screen gate: the local VNC server that view opens (loopback only). Not set: view and control stay consent-only, no screen channel.'),
  fileFolder: absolutePath
    .optional()
    .describe('File gate: where received files are stored, one folder per ticket (default: the user\'s Downloads/Porchlight).'),
  allowQuit: z.boolean().describe('Show Quit in the tray menu. Managed policy may hide it.'),
  startAtLogin: z.boolean().describe('Start the agent when the user logs in.'),
  allowInsecureRelay: z.boolean().describe('Development only: allow ws:// to a non-loopback relay.'),
});
export type Policy = z.infer<typeof policySchema>;
export type PolicyKey = keyof Policy;

export const DEFAULT_POLICY: Policy = {
  allowedScopes: [...SCOPES],
  unattendedAllowed: false,
  requireContact: false,
  maxAgreedWindowHours: 8,
  unattendedGroups: [],
  emergencyAllowed: false,
  promptTimeoutSec: 60,
  maxSessionMinutes: 60,
  queueSize: 5,
  rateLimit: { prompts: 3, windowMinutes: 10, autoDeclineAfterDeclines: 3 },
  retentionDays: 90,
  fileTransfer: {
    maxBytes: 100 * 1024 * 1024,
    blockedExtensions: ['.exe', '.msi', '.bat', '.cmd', '.com', '.ps1', '.vbs', '.js', '.jse', '.wsf', '.scr', '.hta', '.dll', '.reg', '.lnk'],
    requireTicket: true,
  },
  allowQuit: true,
  startAtLogin: true,
  allowInsecureRelay: false,
};

/**
 * Keys an end user may set in their own settings (the rest only IT can set,
 * through managed policy or the agent config file). A user value may narrow
 * these, never widen past the default or managed value (see merge).
 * Never add a key that decides whom the agent trusts (relayUrl, relayUrls, relayPublicKey,
 * relayTlsPin, approvalsPublicKey, allowInsecureRelay): a process running as the
 * user could point the agent at its own relay. IT_ONLY_TRUST_KEYS pins that.
 */
export const USER_SETTABLE_KEYS = ['allowedScopes', 'promptTimeoutSec', 'maxSessionMinutes', 'startAtLogin'] as const satisfies readonly PolicyKey[];

/** Keys that decide which relay and which signatures the agent trusts, and what it runs: IT only, never user settings. */
export const IT_ONLY_TRUST_KEYS = ['relayUrl', 'relayUrls', 'relayPublicKey', 'relayTlsPin', 'approvalsPublicKey', 'allowInsecureRelay', 'accessHooks', 'screenServer', 'fileFolder'] as const satisfies readonly PolicyKey[];

/** Partial policy as read from one source (managed or user); validated key by key. */
export const partialPolicySchema = policySchema.partial();
export type PartialPolicy = z.infer<typeof partialPolicySchema>;

/**
 * What no single key's schema can see: a plain ws:// relay off loopback is valid
 * only when the same document sets allowInsecureRelay (development). Refused when
 * the document is read, not first at connect time.
 */
export function crossKeyProblem(values: PartialPolicy): string | undefined {
  if (values.allowInsecureRelay === true) return undefined;
  const named: Array<[string, string]> = [
    ...(values.relayUrl === undefined ? [] : [['relayUrl', values.relayUrl] as [string, string]]),
    ...(values.relayUrls ?? []).map((u, i) => [`relayUrls[${i}]`, u] as [string, string]),
  ];
  for (const [key, value] of named) {
    const checked = checkRelayUrl(value, false);
    if (!checked.ok) return `${key}: ${checked.detail}; set allowInsecureRelay: true only for development`;
  }
  return undefined;
}

/** The relays the agent tries, in order: relayUrl first, then relayUrls, each once. */
export function relayUrlsOf(policy: Pick<Policy, 'relayUrl' | 'relayUrls'>): string[] {
  return [...new Set([...(policy.relayUrl === undefined ? [] : [policy.relayUrl]), ...(policy.relayUrls ?? [])])];
}
