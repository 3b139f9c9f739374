// The appliance's own post-build hooks: programs from the appliance folder, run with the build's
// facts in the environment. Unlike the tools in this folder their output is the user's, streamed
// line by line into the build log.
import fs from 'node:fs';
import { execa } from 'execa';

export interface HookOptions {
  cwd: string;
  env: Record<string, string>;
  signal?: AbortSignal;
  onLine(text: string): void;
}

export class HookFailedError extends Error {}

export async function runHook(file: string, o: HookOptions): Promise<void> {
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    throw new HookFailedError(`The post-build hook ${file} is not executable. Make it executable (chmod +x) or remove it from hooks.post-build.`);
  }
  // Without a #! line (or a binary's ELF header) execve fails with ENOEXEC and the system cannot say how to run it.
  const head = Buffer.alloc(4);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 4, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.subarray(0, 2).toString('latin1') !== '#!' && head.toString('latin1') !== '\x7fELF') {
    throw new HookFailedError(`The post-build hook ${file} has no #! line, so the system cannot tell how to run it. Start it with #!/bin/sh (or the interpreter it needs).`);
  }
  const child = execa(file, [], { cwd: o.cwd, reject: false, all: true, buffer: false, stdin: 'ignore', cancelSignal: o.signal, env: o.env });
  for await (const line of child.iterable({ from: 'all' })) o.onLine(String(line));
  const r = await child;
  if (r.exitCode !== 0) {
    const how = r.exitCode !== undefined ? `exit ${r.exitCode}` : r.signal ? `killed by ${r.signal}` : (r.message ?? 'did not run');
    throw new HookFailedError(`post-build hook ${file} failed (${how})`);
  }
}
