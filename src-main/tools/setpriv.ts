// setpriv (util-linux) sets the parent-death signal and execs a program: with
// `setpriv --pdeathsig SIGKILL -- PROGRAM`, the program dies with Yoke even when Yoke is
// SIGKILLed. Used for qemu (vm/qemu-process.ts) and every tool (tools/run.ts).
import { findExecutable } from './find-executable';

/** setpriv from util-linux, when this is Linux and it is installed (on PATH, or where Debian puts it). */
export function findSetpriv(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string | null {
  if (platform !== 'linux') return null;
  return findExecutable('setpriv', [env.PATH ?? '', '/usr/bin', '/bin'].join(':'));
}
