// What the desktop app starts with: which agent config file (the same format
// as `porchlight agent --headless --config`, provisioned by IT), the device
// id, the data dir. A missing config is normal on an unprovisioned desktop
// (the tray then says "Not configured"); an unreadable or invalid one is
// reported and the agent runs unconfigured, never with a half-read config.
import { hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import { defaultConfigPath, type AgentConfig, type ConfigResult } from '../core/headless/agent-config.js';
import { defaultDataDir } from '../core/data-dir.js';

export interface LaunchInputs {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  hostname?: string;
  /** readAgentConfig, or a fake. */
  readConfig(path: string): ConfigResult;
  /** Does the file exist (a missing default config is not a problem; a missing explicit one is). */
  exists(path: string): boolean;
}

export interface LaunchPlan {
  configPath: string;
  config: AgentConfig | undefined;
  deviceId: string;
  dataDir: string;
  problems: string[];
}

// Moved to core so the headless agent uses the same per-OS path; re-exported for src/main's callers.
export { defaultConfigPath };

/** `--config FILE` or `--config=FILE` anywhere in argv (Chromium adds its own switches around ours). */
export function configArg(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--config' && i + 1 < argv.length) return argv[i + 1];
    if (a.startsWith('--config=')) return a.slice('--config='.length);
  }
  return undefined;
}

/** A device id the relay accepts (identifier: 1-64 of A-Z a-z 0-9 _ . : -), from the host name. */
export function deviceIdFromHostname(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return cleaned.length > 0 ? cleaned : 'desktop';
}

export function launchPlan(i: LaunchInputs): LaunchPlan {
  const explicit = configArg(i.argv) ?? i.env.PORCHLIGHT_AGENT_CONFIG;
  const configPath = resolve(explicit ?? defaultConfigPath(i.platform, i.env));
  const problems: string[] = [];
  let config: AgentConfig | undefined;
  if (explicit !== undefined || i.exists(configPath)) {
    const read = i.readConfig(configPath);
    if (read.ok) config = read.config;
    else problems.push(`${read.code}: ${read.detail}; running unconfigured`);
  }
  return {
    configPath,
    config,
    deviceId: config?.deviceId ?? deviceIdFromHostname(i.hostname ?? osHostname()),
    dataDir: resolve(config?.dataDir ?? defaultDataDir(i.platform, i.env)),
    problems,
  };
}
