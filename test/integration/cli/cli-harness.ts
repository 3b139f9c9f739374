// Runs the built `yoke` CLI the way a user does (node bin/yoke.js …), in its own data
// directory, and makes appliance folders from the sample with small edits.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../support/ensure-built';

export const SAMPLE = path.join(ROOT, 'resources', 'sample', 'hello-web');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function startYoke(args: string[], opts: { home: string; env?: NodeJS.ProcessEnv; cwd?: string }): { proc: ChildProcess; done: Promise<CliRun> } {
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin', 'yoke.js'), ...args, '--home', opts.home], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliRun>((resolve) => proc.on('close', (code) => resolve({ code, stdout, stderr })));
  return { proc, done };
}

export function yoke(args: string[], opts: { home: string; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<CliRun> {
  return startYoke(args, opts).done;
}

/** A copy of the sample appliance with its appliance.yaml passed through `edit`. */
export function sampleVariant(edit: (yaml: string) => string = (y) => y, name = 'app'): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-cli-app-')), name);
  fs.cpSync(SAMPLE, dir, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true, verbatimSymlinks: true });
  const file = path.join(dir, 'appliance.yaml');
  fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
  return dir;
}

/** Only raw disks: most CLI tests don't need the exports, and they cost build time. */
export function rawOnly(yaml: string): string {
  return yaml.replace(/^outputs:.*$/m, 'outputs: [raw]').replace(/^flavours:\n(?:  .*\n)+/m, '');
}

/** qemu processes whose command line names a VM of this data directory's VMs. */
export function qemuOf(home: string): number[] {
  const vms = fs.existsSync(path.join(home, 'vms')) ? fs.readdirSync(path.join(home, 'vms')) : [];
  const pids: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmd.includes('qemu-system') && vms.some((v) => cmd.includes(`yoke-${v}`))) pids.push(Number(pid));
  }
  return pids;
}
