// Which managed sources apply on which OS, in override order (later wins).
// No environment input: these paths decide what counts as IT's policy
// (windows-system-paths.ts says why).
import { JsonFileSource, LINUX_POLICY_PATH, WINDOWS_POLICY_PATH } from './json-file-source.js';
import type { ManagedPolicySource } from './managed-source.js';
import { PlistSource } from './plist-source.js';
import { regQueryRunner, RegistrySource } from './registry-source.js';

export function managedPolicySources(platform: NodeJS.Platform = process.platform): ManagedPolicySource[] {
  if (platform === 'win32') return [new JsonFileSource(WINDOWS_POLICY_PATH), new RegistrySource(regQueryRunner())];
  if (platform === 'darwin') return [new PlistSource()];
  return [new JsonFileSource(LINUX_POLICY_PATH)];
}
