// The one door to qemu-system-x86_64: a long-running process, so it is started here rather
// than through tools/run.ts (which waits for a program to finish).
//
// No orphans. A VM must die with the process that started it, even when that process is
// SIGKILLed and has no chance to clean up. On Linux qemu is started through util-linux's
// `setpriv --pdeathsig SIGKILL -- qemu ...`: setpriv sets PR_SET_PDEATHSIG and then execs
// qemu, so the kernel itself delivers SIGKILL to qemu when its parent dies, and the pid we
// hold is qemu's own (signals and the pidfile need no indirection). We prefer it to a
// stdin-EOF watchdog shell because nothing extra has to stay alive for it to work. Caveat:
// the signal fires when the parent *thread* that forked exits; Node forks from its main
// thread, which lives as long as the process. The window between fork and prctl, and hosts
// without setpriv, are covered by the reaper on the next start.
import { execa, type ResultPromise } from 'execa';
import { aptPackageOf } from '../tools/catalogue';
import { ToolMissingError } from '../tools/run';

export const QEMU_BINARY = 'qemu-system-x86_64';

export interface LaunchCommand {
  file: string;
  args: string[];
}

/** The argv that starts qemu, wrapped so it dies with its parent when `setpriv` is given. */
export function qemuLaunchCommand(qemuArgv: string[], opts: { binary?: string; setpriv?: string | null } = {}): LaunchCommand {
  const binary = opts.binary ?? QEMU_BINARY;
  if (opts.setpriv) return { file: opts.setpriv, args: ['--pdeathsig', 'SIGKILL', '--', binary, ...qemuArgv] };
  return { file: binary, args: qemuArgv };
}

// setpriv is found by the tools layer, which runs every other program the same way.
export { findSetpriv } from '../tools/setpriv';

export interface QemuExit {
  code: number | null;
  signal: string | null;
}

export interface QemuProcess {
  pid: number;
  commandLine: string;
  exited: Promise<QemuExit>;
  isRunning(): boolean;
  kill(signal: NodeJS.Signals): void;
  /** The last lines qemu printed on stderr (why it refused to start, usually). */
  stderrTail(): string;
}

export function launchQemu(qemuArgv: string[], opts: { binary?: string; setpriv?: string | null } = {}): QemuProcess {
  const cmd = qemuLaunchCommand(qemuArgv, opts);
  const commandLine = [cmd.file, ...cmd.args].join(' ');
  const child: ResultPromise = execa(cmd.file, cmd.args, {
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    // A normal exit of Node also takes qemu down (pdeathsig covers the abnormal ones).
    cleanup: true,
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString('utf8')).slice(-8192);
  });
  let running = child.pid !== undefined;
  const exited = (async (): Promise<QemuExit> => {
    const r = await child;
    running = false;
    const code = (r as { code?: string }).code;
    if (code === 'ENOENT' || (r.exitCode === undefined && !r.signal && /ENOENT/.test(String(r.message)))) {
      throw new ToolMissingError(opts.binary ?? QEMU_BINARY, aptPackageOf(QEMU_BINARY));
    }
    return { code: r.exitCode ?? null, signal: r.signal ?? null };
  })();
  exited.catch(() => undefined);
  if (child.pid === undefined) {
    return {
      pid: -1,
      commandLine,
      exited,
      isRunning: () => false,
      kill: () => undefined,
      stderrTail: () => stderr,
    };
  }
  const pid = child.pid;
  return {
    pid,
    commandLine,
    exited,
    isRunning: () => running,
    kill: (signal) => {
      if (running) child.kill(signal);
    },
    stderrTail: () => stderr.trim().split('\n').slice(-12).join('\n'),
  };
}
