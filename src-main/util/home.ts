import os from 'node:os';
import path from 'node:path';

/**
 * The data directory: an explicit --home wins, then YOKE_HOME, then the platform's
 * user-data folder (the same one Electron's app.getPath('userData') would give for "Yoke").
 */
export function resolveHome(explicit?: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (explicit) return path.resolve(explicit);
  if (env.YOKE_HOME) return path.resolve(env.YOKE_HOME);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Yoke');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Yoke');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Yoke');
}
