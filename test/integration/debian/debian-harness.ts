// The Debian sample (resources/sample/notes-web) and ways to run the built CLI on it as a user
// would: as root, as a non-root user (runuser), and with the network cut (unshare -n).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../support/ensure-built';
import type { CliRun } from '../cli/cli-harness';

export const DEBIAN_SAMPLE = path.join(ROOT, 'resources', 'sample', 'notes-web');
export const TEST_USER = 'yoke-debian-test';

/** A copy of the Debian sample (with its appliance.lock), owned by `owner` when given. */
export function debianSample(edit: (yaml: string) => string = (y) => y, owner?: string): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-debian-app-')), 'notes-web');
  fs.cpSync(DEBIAN_SAMPLE, dir, { recursive: true, verbatimSymlinks: true });
  const file = path.join(dir, 'appliance.yaml');
  fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
  if (owner) chownTree(path.dirname(dir), owner);
  return dir;
}

export function chownTree(p: string, user: string): void {
  execFileSync('chown', ['-R', `${user}:`, p]);
}

/** A non-root user with subordinate ids (useradd gives them), for rootless builds. */
export function ensureTestUser(user = TEST_USER): void {
  try {
    execFileSync('id', [user], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', user]);
  }
}

/** A non-root user without subordinate ids: mmdebstrap cannot map a user namespace for it (Ubuntu's blocked namespaces, as far as a build sees). */
export const NO_SUBID_USER = 'yoke-debian-nosubid';
export function ensureUserWithoutSubids(): void {
  ensureTestUser(NO_SUBID_USER);
  for (const f of ['/etc/subuid', '/etc/subgid']) {
    try {
      const lines = fs.readFileSync(f, 'utf8').split('\n');
      const kept = lines.filter((l) => l.split(':')[0] !== NO_SUBID_USER);
      if (kept.length !== lines.length) fs.writeFileSync(f, kept.join('\n'));
    } catch {
      // no such file: nobody has subordinate ids
    }
  }
}

export interface RunAs {
  /** Run as this user (runuser), not root. */
  user?: string;
  /** Cut the network: a new, empty network namespace (unshare -n). */
  offline?: boolean;
  /**
   * Programs made absent for this run only: /dev/null bound over them in a mount namespace of its
   * own (a character device, so no longer an executable file), as on a host without them.
   */
  hide?: string[];
  /** Send `signal` `delayMs` after the output first matches `text`. */
  signalAfter?: { text: RegExp; signal: NodeJS.Signals; delayMs: number; onSent?(): void };
  /** Told the spawned process's pid (a fault test acts only on its own descendants). */
  onSpawn?: (pid: number) => void;
}

/** node bin/yoke.js ARGS --home HOME, optionally as another user and/or with no network. */
export function yokeAs(args: string[], home: string, o: RunAs = {}): Promise<CliRun> {
  let argv = [process.execPath, path.join(ROOT, 'bin', 'yoke.js'), ...args, '--home', home];
  if (o.user) argv = ['runuser', '-u', o.user, '--', ...argv];
  if (o.offline) argv = ['unshare', '-n', '--', ...argv];
  if (o.hide?.length) {
    const binds = o.hide.map((p) => `mount --bind /dev/null '${p}'`).join(' && ');
    argv = ['unshare', '-m', '--propagation', 'private', '--', 'sh', '-c', `${binds} && exec "$@"`, 'sh', ...argv];
  }
  const proc = spawn(argv[0], argv.slice(1), { cwd: os.tmpdir(), env: { ...process.env, YOKE_HOME: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (proc.pid !== undefined) o.onSpawn?.(proc.pid);
  let stdout = '';
  let stderr = '';
  let signalled = false;
  const watch = () => {
    if (o.signalAfter && !signalled && o.signalAfter.text.test(stdout + stderr)) {
      signalled = true;
      const s = o.signalAfter;
      setTimeout(() => {
        proc.kill(s.signal);
        s.onSent?.();
      }, s.delayMs);
    }
  };
  proc.stdout!.on('data', (d) => ((stdout += d), watch()));
  proc.stderr!.on('data', (d) => ((stderr += d), watch()));
  return new Promise((resolve) => proc.on('close', (code) => resolve({ code, stdout, stderr })));
}

export function osDiskSha(run: CliRun): string {
  const doc = JSON.parse(run.stdout) as { build: { artifacts: { kind?: string; disk?: string; format: string; sha256: string }[] } };
  const a = doc.build.artifacts.find((x) => x.disk === 'os' && x.format === 'raw');
  if (!a) throw new Error(`no OS disk in ${run.stdout}`);
  return a.sha256;
}

/** Processes whose command line mentions `needle` (mmdebstrap, apt and dpkg of a build). */
export function processesMentioning(needle: string): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle) && Number(pid) !== process.pid) out.push(`${pid}: ${cmd}`);
    } catch {
      // gone
    }
  }
  return out;
}
