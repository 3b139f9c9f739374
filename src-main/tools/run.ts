import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { toolFinished, toolStarted } from './tool-time';
import { aptPackageOf } from './catalogue';
import { findExecutable } from './find-executable';
import { findSetpriv } from './setpriv';

/** One external program as Yoke runs it: what to call and which apt package provides it. */
export interface ToolCall {
  /** Executable name or path, e.g. "qemu-img". */
  tool: string;
  /** Debian package named in the error when the tool is missing (default: resources/tools.json's). */
  aptPackage?: string;
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  input?: string | Buffer;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Exit codes that count as success (default [0]). */
  okExitCodes?: number[];
  /**
   * The tool forks helpers of its own (mmdebstrap: apt, dpkg, its own perl children) that would
   * outlive it and hold its output open: run it in a process group of its own and, on cancel,
   * end the whole group (SIGTERM, then SIGKILL after `graceMs`), returning only once it is gone.
   */
  group?: { graceMs: number };
}

export interface ToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export class ToolMissingError extends Error {
  constructor(readonly tool: string, readonly aptPackage: string) {
    super(`The program "${tool}" is not installed. Install it with: sudo apt-get install ${aptPackage}`);
    this.name = 'ToolMissingError';
  }
}

export class ToolFailedError extends Error {
  constructor(
    readonly commandLine: string,
    readonly exitCode: number | undefined,
    readonly stderrTail: string,
    reason: string,
    /** Everything the tool printed on stderr (else stdout), for callers that explain failures. */
    readonly output = stderrTail,
  ) {
    super(`${reason}: ${commandLine}${stderrTail ? `\n${stderrTail}` : ''}`);
    this.name = 'ToolFailedError';
  }
}

export class CancelledError extends Error {
  constructor(what = 'The build') {
    super(`${what} was cancelled.`);
    this.name = 'CancelledError';
  }
}

/**
 * Some tools (qemu-img among them) do not always say ENOSPC; a failure while the filesystem of
 * a path they were given has no room left is reported as what it is.
 */
function filesystemFull(argv: string[]): boolean {
  for (const a of argv) {
    const p = a.includes('=') && !a.startsWith('/') ? a.slice(a.indexOf('=') + 1) : a;
    if (!path.isAbsolute(p)) continue;
    try {
      const dir = fs.existsSync(p) && fs.statSync(p).isDirectory() ? p : path.dirname(p);
      const st = fs.statfsSync(dir);
      if (st.bavail * st.bsize < 1024 * 1024) return true;
    } catch {
      // not a path after all
    }
  }
  return false;
}

/** A shell-readable command line for error messages and logs. */
export function formatCommandLine(tool: string, argv: string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [tool, ...argv].map(quote).join(' ');
}

/** The last lines of a tool's output: enough to see why it failed, short enough for a log line. */
export function tail(text: string, lines = 12): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** On abort: SIGTERM to the group, SIGKILL to what is left after `graceMs`; settle() waits until it is gone. */
function endGroupOnAbort(pgid: number, graceMs: number, signal?: AbortSignal): { settle(): Promise<void> } {
  let ending: Promise<void> | undefined;
  const end = () => {
    ending ??= (async () => {
      const kill = (sig: NodeJS.Signals) => {
        try {
          process.kill(-pgid, sig);
        } catch {
          // already gone
        }
      };
      kill('SIGTERM');
      const until = Date.now() + graceMs;
      while (groupAlive(pgid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      kill('SIGKILL');
      for (let i = 0; i < 50 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 100));
    })();
    return ending;
  };
  signal?.addEventListener('abort', end, { once: true });
  return {
    async settle() {
      signal?.removeEventListener('abort', end);
      if (signal?.aborted) await end();
    },
  };
}

let setprivMemo: string | null | undefined;
function setprivPath(): string | null {
  if (setprivMemo === undefined) setprivMemo = findSetpriv();
  return setprivMemo;
}

export async function runTool(call: ToolCall): Promise<ToolResult> {
  const commandLine = formatCommandLine(call.tool, call.argv);
  if (call.signal?.aborted) throw new CancelledError();
  const t0 = performance.now();
  const done = toolStarted();
  // Debian keeps mke2fs, sfdisk and mkfs.vfat in sbin, which a normal user's PATH lacks.
  const file = call.tool.includes('/') ? call.tool : (findExecutable(call.tool) ?? call.tool);
  // Every tool dies with the engine, even when the engine is SIGKILLed (a `zstd -T0` once outlived
  // it): setpriv sets the parent-death signal and execs the tool, as for qemu (vm/qemu-process.ts).
  const setpriv = setprivPath();
  // (Through setpriv a missing tool is setpriv's exit 127, not ENOENT: look first.)
  if (setpriv && (!file.includes('/') || !fs.existsSync(file))) throw new ToolMissingError(call.tool, call.aptPackage ?? aptPackageOf(call.tool));
  const [runFile, runArgv] = setpriv ? [setpriv, ['--pdeathsig', 'SIGKILL', '--', file, ...call.argv]] : [file, call.argv];
  const child = execa(runFile, runArgv, {
    cwd: call.cwd,
    env: { LC_ALL: 'C', ...call.env },
    input: call.input,
    timeout: call.timeoutMs,
    ...(call.group ? { detached: true } : { cancelSignal: call.signal }),
    reject: false,
    stripFinalNewline: false,
    encoding: 'utf8',
    stdin: call.input === undefined ? 'ignore' : 'pipe',
  });
  const stopGroup = call.group && child.pid ? endGroupOnAbort(child.pid, call.group.graceMs, call.signal) : undefined;
  const result = await child.finally(async () => {
    await stopGroup?.settle();
    done();
  });
  toolFinished(call.tool, performance.now() - t0);
  const stderr = String(result.stderr ?? '');
  const stdout = String(result.stdout ?? '');
  const code = (result as { code?: string }).code;
  if (code === 'ENOENT' || (result.failed && /ENOENT/.test(String(result.message)) && result.exitCode === undefined)) {
    throw new ToolMissingError(call.tool, call.aptPackage ?? aptPackageOf(call.tool));
  }
  if (result.isCanceled || call.signal?.aborted) throw new CancelledError();
  if (result.timedOut) {
    throw new ToolFailedError(commandLine, undefined, tail(stderr), `Timed out after ${call.timeoutMs} ms`);
  }
  const ok = call.okExitCodes ?? [0];
  if (result.exitCode === undefined || !ok.includes(result.exitCode)) {
    const full = stderr || stdout;
    const why = result.signal
      ? `Crashed with ${result.signal}`
      : /No space left on device|disk full/i.test(full) || filesystemFull(call.argv)
        ? 'Ran out of disk space (free some space and build again)'
        : `Failed with exit code ${result.exitCode}`;
    throw new ToolFailedError(commandLine, result.exitCode, tail(full), why, full);
  }
  return { stdout, stderr, exitCode: result.exitCode };
}
