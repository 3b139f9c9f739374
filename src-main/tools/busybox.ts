import fs from 'node:fs';
import { aptPackageOf, fixedPathsOf } from './catalogue';
import { runTool } from './run';

/** Debian's busybox-static installs a statically linked busybox here (resources/tools.json); the dynamic one would not run in the guest. */
export const BUSYBOX_PATH = fixedPathsOf('busybox')[0];

export function busyboxListArgs(): string[] {
  return ['--list-full'];
}

export function parseAppletList(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('/') && !l.includes('..'))
    .sort();
}

/** A static busybox: an ELF without a PT_INTERP program header (i.e. it needs no dynamic loader). */
export function isStaticElf(file: string): boolean {
  const b = fs.readFileSync(file);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return false;
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phentsize = b.readUInt16LE(0x36);
  const phnum = b.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (b.readUInt32LE(phoff + i * phentsize) === 3) return false;
  return true;
}

export function findStaticBusybox(): string {
  if (!fs.existsSync(BUSYBOX_PATH) || !isStaticElf(BUSYBOX_PATH)) {
    throw new Error(`A statically linked busybox is needed at ${BUSYBOX_PATH}. Install it with: sudo apt-get install ${aptPackageOf('busybox')}`);
  }
  return BUSYBOX_PATH;
}

/** Applet paths such as "bin/sh", "usr/sbin/httpd". */
export async function busyboxApplets(busybox: string, opts: { signal?: AbortSignal } = {}): Promise<string[]> {
  const r = await runTool({ tool: busybox, argv: busyboxListArgs(), signal: opts.signal, timeoutMs: 10_000 });
  return parseAppletList(r.stdout);
}

export async function busyboxVersion(busybox: string): Promise<string> {
  const r = await runTool({ tool: busybox, argv: [], okExitCodes: [0, 1], timeoutMs: 10_000 });
  return r.stdout.split('\n')[0].trim();
}
