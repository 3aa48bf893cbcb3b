// Which managed sources apply on which OS, in override order (later wins).
import { JsonFileSource, LINUX_POLICY_PATH, windowsProgramDataPolicyPath } from './json-file-source.js';
import type { ManagedPolicySource } from './managed-source.js';
import { PlistSource } from './plist-source.js';
import { regQueryRunner, RegistrySource } from './registry-source.js';

export function managedPolicySources(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): ManagedPolicySource[] {
  if (platform === 'win32') return [new JsonFileSource(windowsProgramDataPolicyPath(env)), new RegistrySource(regQueryRunner(env))];
  if (platform === 'darwin') return [new PlistSource()];
  return [new JsonFileSource(LINUX_POLICY_PATH)];
}
