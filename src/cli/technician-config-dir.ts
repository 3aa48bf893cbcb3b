// Where the technician's own CLI state lives (not the relay's data, not the
// agent's): $XDG_CONFIG_HOME/porchlight, else the platform's config dir.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function technicianConfigDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/')) return join(env.XDG_CONFIG_HOME, 'porchlight');
  const home = env.HOME ?? homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Porchlight');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Porchlight');
  return join(home, '.config', 'porchlight');
}
