// What the shell runs with: the launch plan (config file, device, data dir),
// managed (MDM) policy with IT's config layered under it, and the user's
// settings over both. Problems are logged, never fatal here.
import { existsSync, statSync } from 'node:fs';
import { app } from 'electron';
import type { Policy } from '../core/policy/schema.js';
import { readAgentConfig } from '../core/headless/agent-config.js';
import { layerConfigUnderManaged } from '../core/policy/config-policy.js';
import { loadManagedPolicy } from '../core/policy/sources/managed-source.js';
import { managedPolicySources } from '../core/policy/sources/platform-sources.js';
import { launchPlan, type LaunchPlan } from './launch-plan.js';
import { Settings } from './settings.js';
import { electronStoreBackend } from './settings-store.js';

export interface ShellConfig {
  plan: LaunchPlan;
  settings: Settings;
  policy: Policy;
  /** Policy problems (also logged), the first shown to the user once the agent runs. */
  problems: string[];
}

export async function loadShellConfig(log: (event: string, detail: string) => void): Promise<ShellConfig> {
  const plan = launchPlan({
    argv: process.argv,
    env: process.env,
    platform: process.platform,
    readConfig: readAgentConfig,
    exists: existsSync,
    packaged: app.isPackaged,
    stat: (path) => {
      try {
        return statSync(path);
      } catch {
        return undefined;
      }
    },
  });
  const managed = await loadManagedPolicy(managedPolicySources(process.platform));
  // IT's config file sits under MDM policy and, like it, is locked for the user.
  const locked = plan.config?.policy ? layerConfigUnderManaged(managed, plan.config.policy, plan.configPath) : managed;
  const settings = new Settings(electronStoreBackend(app.getPath('userData')), locked);
  const { policy, problems } = settings.effective();
  for (const p of [...plan.problems, ...problems]) log('config', p);
  return { plan, settings, policy, problems };
}
