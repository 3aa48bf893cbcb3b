// Where the agent keeps its state (device key, replay cache, audit log) per OS.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'Porchlight');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Porchlight');
  return join(env.XDG_STATE_HOME ?? join(home, '.local', 'state'), 'porchlight');
}

export function defaultAuditDir(dataDir: string): string {
  return join(dataDir, 'audit');
}
