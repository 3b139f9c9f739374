// Checks a post-build hook before it is run: an exec bit missing or a #! line missing made
// "failed (exit undefined)", which said nothing about what to fix.
import fs from 'node:fs';
import path from 'node:path';

/** Throws, saying what to do, when `hook` (relative to `dir`) cannot be run as a program. */
export function assertRunnable(dir: string, hook: string): void {
  const file = path.resolve(dir, hook);
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    throw new Error(`post-build hook ${hook} is not executable; make it so with: chmod +x ${path.relative(process.cwd(), file) || file}`);
  }
  const head = Buffer.alloc(2);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 2, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.toString('latin1') !== '#!' && head.toString('latin1') !== '\x7fE') {
    throw new Error(`post-build hook ${hook} has no #! line, so the system cannot tell how to run it; start it with #!/bin/sh (or the interpreter it needs)`);
  }
}
