// The headless agent's config file (JSON, written by IT, e.g. from a
// provisioning script): device identity, enrollment, data dir and the policy
// keys for this machine. Managed (MDM) policy still wins over every key here.
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../../protocol/frame.js';
import { identifier } from '../../protocol/primitives.js';
import { crossKeyProblem, partialPolicySchema } from '../policy/schema.js';
import { WINDOWS_PORCHLIGHT_DIR } from '../policy/sources/windows-system-paths.js';

/**
 * Where IT drops the agent config on each OS (the desktop app and the headless
 * agent both look here). Fixed paths, never from the environment: the packaged
 * app trusts this file as IT's (windows-system-paths.ts).
 */
export function defaultConfigPath(platform: NodeJS.Platform): string {
  if (platform === 'win32') return `${WINDOWS_PORCHLIGHT_DIR}\\agent.json`;
  if (platform === 'darwin') return '/Library/Application Support/Porchlight/agent.json';
  return '/etc/porchlight/agent.json';
}

/** Absolute on either OS family (the file is written for the device it lands on; a relative path would depend on the cwd). */
function isAbsolutePath(p: string): boolean {
  return posix.isAbsolute(p) || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

export const agentConfigSchema = z.strictObject({
  deviceId: identifier.describe('This device as the relay knows it (porchlight relay enroll-device --device).'),
  enrollmentToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,128}$/, 'is not an enrollment token')
    .optional()
    .describe('One-time token from enroll-device; used until the relay first welcomes this device.'),
  dataDir: z.string().min(1).max(1024).optional().describe('Device key, replay cache and (by default) the audit log.'),
  relayCaFile: z
    .string()
    .max(1024)
    .refine(isAbsolutePath, 'must be an absolute path')
    .optional()
    .describe('PEM bundle of a private CA for a wss:// relay, trusted in addition to the system roots.'),
  policy: partialPolicySchema.optional().describe('Policy keys for this machine (defaults < these < managed policy).'),
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

export type ConfigResult = { ok: true; config: AgentConfig } | { ok: false; code: 'config-unreadable' | 'config-invalid'; detail: string };

export function parseAgentConfig(text: string, origin: string): ConfigResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, code: 'config-invalid', detail: `${origin} is not valid JSON` };
  }
  const parsed = agentConfigSchema.safeParse(data);
  if (!parsed.success) return { ok: false, code: 'config-invalid', detail: `${origin}: ${describeIssues('config', parsed.error)}` };
  const problem = parsed.data.policy === undefined ? undefined : crossKeyProblem(parsed.data.policy);
  return problem === undefined ? { ok: true, config: parsed.data } : { ok: false, code: 'config-invalid', detail: `${origin}: policy.${problem}` };
}

export function readAgentConfig(path: string): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { ok: false, code: 'config-unreadable', detail: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  return parseAgentConfig(text, path);
}
