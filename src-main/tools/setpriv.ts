// setpriv (util-linux) sets the parent-death signal and execs a program: with
// `setpriv --pdeathsig SIGKILL -- PROGRAM`, the program dies with Yoke even when Yoke is
// SIGKILLed. Used for qemu (vm/qemu-process.ts) and every tool (tools/run.ts).
import fs from 'node:fs';
import path from 'node:path';

/** setpriv from util-linux, when this is Linux and it is installed. */
export function findSetpriv(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string | null {
  if (platform !== 'linux') return null;
  for (const dir of (env.PATH ?? '/usr/bin:/bin').split(':').concat(['/usr/bin', '/bin'])) {
    const p = path.join(dir || '.', 'setpriv');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* try the next directory */
    }
  }
  return null;
}
