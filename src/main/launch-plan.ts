// What the desktop app starts with: which agent config file (the same format
// as `porchlight agent --headless --config`, provisioned by IT), the device
// id, the data dir. A missing config is normal on an unprovisioned desktop
// (the tray then says "Not configured"); an unreadable or invalid one is
// reported and the agent runs unconfigured, never with a half-read config.
// The config is layered as IT's (locked, may set any key), so the packaged app
// reads it only from the per-OS default path and only if the user can't write
// it; --config and $PORCHLIGHT_AGENT_CONFIG are for development checkouts.
import { hostname as osHostname } from 'node:os';
import { dirname, posix, resolve, win32 } from 'node:path';
import { defaultConfigPath, type AgentConfig, type ConfigResult } from '../core/headless/agent-config.js';
import { defaultDataDir } from '../core/data-dir.js';
import { readCaBundle, withExtraCa, type CaBundleResult } from '../core/connection/extra-ca.js';
import { configRelayCa } from '../core/headless/config-relay-ca.js';
import { WINDOWS_PROGRAM_DATA } from '../core/policy/sources/windows-system-paths.js';

export interface LaunchInputs {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  hostname?: string;
  /** readAgentConfig, or a fake. */
  readConfig(path: string): ConfigResult;
  /** Does the file exist (a missing default config is not a problem; a missing explicit one is). */
  exists(path: string): boolean;
  /** app.isPackaged: an installed app takes its config only from where IT puts it. */
  packaged: boolean;
  /** fs.statSync (follows links), or a fake; undefined when it can't be read. Used on POSIX when packaged. */
  stat(path: string): FileOwnership | undefined;
  /** readCaBundle, or a fake: the config's relayCaFile. */
  readCa?(path: string): CaBundleResult;
}

export interface FileOwnership {
  uid: number;
  mode: number;
}

export interface LaunchPlan {
  configPath: string;
  config: AgentConfig | undefined;
  deviceId: string;
  dataDir: string;
  /** For createAgent: the config's relayCaFile trusted in addition to the system roots. */
  wsOptions: { ca: string[] } | undefined;
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

/**
 * Why the packaged app must not trust this config file, or undefined when only
 * an administrator can change it. POSIX: the file and its directory belong to
 * root and are not group/world-writable. Windows has no uid to check from Node:
 * the file must sit under C:\ProgramData, whose Porchlight folder IT creates
 * writable by Administrators and SYSTEM only (docs/deploy.md). That
 * root is fixed: %ProgramData% is whatever the launcher set, so it proves nothing.
 */
export function untrustedConfigReason(path: string, platform: NodeJS.Platform, stat: LaunchInputs['stat']): string | undefined {
  if (platform === 'win32') {
    const rel = win32.relative(WINDOWS_PROGRAM_DATA, win32.resolve(path));
    return rel !== '' && !rel.startsWith('..') && !win32.isAbsolute(rel) ? undefined : `${path} is not under ${WINDOWS_PROGRAM_DATA}`;
  }
  for (const target of [path, dirname(path)]) {
    const st = stat(target);
    if (!st) return `${target} can't be checked`;
    if (st.uid !== 0) return `${target} is not owned by root`;
    if ((st.mode & 0o022) !== 0) return `${target} is writable by group or others`;
  }
  return undefined;
}

export function launchPlan(i: LaunchInputs): LaunchPlan {
  const problems: string[] = [];
  const argvConfig = configArg(i.argv);
  let explicit = argvConfig ?? i.env.PORCHLIGHT_AGENT_CONFIG;
  if (i.packaged && explicit !== undefined) {
    problems.push(`config-override-ignored: ${argvConfig !== undefined ? '--config' : '$PORCHLIGHT_AGENT_CONFIG'} is for development; the installed app reads only ${defaultConfigPath(i.platform)}`);
    explicit = undefined;
  }
  // Resolved the target OS's way (the same as the host's in production), so Windows plans are testable anywhere.
  const configPath = (i.platform === 'win32' ? win32 : posix).resolve(explicit ?? defaultConfigPath(i.platform));
  let config: AgentConfig | undefined;
  const untrusted = i.packaged && i.exists(configPath) ? untrustedConfigReason(configPath, i.platform, i.stat) : undefined;
  if (untrusted !== undefined) {
    problems.push(`config-untrusted: ${untrusted}, so the user could have written it; running unconfigured`);
  } else if (explicit !== undefined || i.exists(configPath)) {
    const read = i.readConfig(configPath);
    if (read.ok) config = read.config;
    else problems.push(`${read.code}: ${read.detail}; running unconfigured`);
  }
  let wsOptions: LaunchPlan['wsOptions'];
  if (config) {
    const ca = relayCa(config, configPath, i);
    // A broken CA setting is a half-read config: run unconfigured, like any other config problem.
    if (ca.ok) wsOptions = ca.pem === undefined ? undefined : withExtraCa(ca.pem);
    else {
      problems.push(`${ca.code}: ${ca.detail}; running unconfigured`);
      config = undefined;
    }
  }
  return {
    configPath,
    config,
    deviceId: config?.deviceId ?? deviceIdFromHostname(i.hostname ?? osHostname()),
    dataDir: resolve(config?.dataDir ?? defaultDataDir(i.platform, i.env)),
    wsOptions,
    problems,
  };
}

/**
 * The config's relayCaFile. In the packaged app the CA file must be as
 * admin-only as the config itself: a CA the user could swap would let them
 * stand in for the relay's TLS.
 */
function relayCa(config: AgentConfig, configPath: string, i: LaunchInputs): ReturnType<typeof configRelayCa> {
  if (config.relayCaFile !== undefined && i.packaged) {
    const untrusted = untrustedConfigReason(config.relayCaFile, i.platform, i.stat);
    if (untrusted !== undefined) return { ok: false, code: 'config-untrusted', detail: `relayCaFile ${untrusted}, so the user could have written it` };
  }
  return configRelayCa(config, configPath, i.readCa ?? readCaBundle);
}
