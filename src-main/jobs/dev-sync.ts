// The pure half of the live loop (yoke dev): what changed in the overlay since the last sync, the
// shell commands that put it into the running VM, and which services a change touches. Every
// function here is unit-tested without a VM; dev-loop.ts runs them against one.
import fs from 'node:fs';
import type { ApplianceSpec } from '../spec/types';
import type { OverlayFile } from '../build/rootfs';
import { hashFileSync } from '../build/hash';
import { shQuote } from '../vm/control-frame';

export interface Entry {
  kind: OverlayFile['kind'];
  mode: number;
  /** Content hash of a file, target of a symlink. */
  content: string;
}

export type Snapshot = Map<string, Entry & { file: OverlayFile }>;

export function snapshot(files: OverlayFile[]): Snapshot {
  const m: Snapshot = new Map();
  for (const f of files) m.set(f.rel, { kind: f.kind, mode: f.mode, content: f.kind === 'file' ? hashFileSync(f.abs) : (f.target ?? ''), file: f });
  return m;
}

export interface OverlayDiff {
  /** Added or changed, parents before children. */
  put: OverlayFile[];
  /** Gone from the overlay, children before parents. */
  remove: string[];
}

export function diffSnapshots(before: Snapshot, after: Snapshot): OverlayDiff {
  const put: OverlayFile[] = [];
  for (const [rel, e] of after) {
    const old = before.get(rel);
    if (!old || old.kind !== e.kind || old.mode !== e.mode || old.content !== e.content) put.push(e.file);
  }
  const remove = [...before.keys()].filter((rel) => !after.has(rel));
  put.sort((a, b) => a.rel.localeCompare(b.rel));
  remove.sort((a, b) => b.localeCompare(a));
  return { put, remove };
}

/** The guest's path for an overlay entry: the overlay is copied over the root. */
export function guestPath(rel: string): string {
  return `/${rel}`;
}

/** Bytes of base64 per shell line: the control channel reads one command line at a time. */
export const CHUNK = 48 * 1024;

/**
 * Shell commands that make the guest's copy equal to `f`: written to a temporary name in chunks
 * (base64 through busybox), given its mode, then renamed over the old one so a service never
 * reads half a file.
 */
export function putCommands(f: OverlayFile): string[] {
  const dest = shQuote(guestPath(f.rel));
  const mode = (f.mode & 0o7777).toString(8);
  if (f.kind === 'dir') return [`mkdir -p ${dest} && chmod ${mode} ${dest}`];
  const parent = `mkdir -p "$(dirname ${dest})"`;
  if (f.kind === 'symlink') return [`${parent} && rm -rf ${dest} && ln -s ${shQuote(f.target ?? '')} ${dest}`];
  const tmp = shQuote(`${guestPath(f.rel)}.yoke-sync`);
  const bytes = fs.readFileSync(f.abs);
  const raw = (CHUNK / 4) * 3; // base64 of this many bytes is CHUNK characters
  const cmds = [`${parent} && : > ${tmp}`];
  for (let i = 0; i < bytes.length; i += raw) cmds.push(`printf '%s' '${bytes.subarray(i, i + raw).toString('base64')}' | base64 -d >> ${tmp}`);
  cmds.push(`chmod ${mode} ${tmp} && mv -f ${tmp} ${dest}`);
  // A small file (a page, a config) goes in one round trip: each one costs a few ms under TCG.
  return bytes.length <= raw ? [cmds.join(' && ')] : cmds;
}

export function removeCommand(rel: string): string {
  return `rm -rf ${shQuote(guestPath(rel))}`;
}

/** Guest paths a service's command line names (`httpd -h /srv/www` uses /srv/www). */
function pathsIn(run: string): string[] {
  return run.split(/[\s=:'"]+/).filter((w) => w.startsWith('/') && w.length > 1);
}

function under(p: string, root: string): boolean {
  const r = root.replace(/\/+$/, '');
  return p === r || p.startsWith(`${r}/`);
}

/**
 * The services a change touches: a service's `watch:` paths, else the paths its command line
 * names. When no service claims a changed path, all of them restart (a change nobody claims may
 * still be read by any of them).
 */
export function affectedServices(services: ApplianceSpec['services'], changedGuestPaths: string[]): string[] {
  if (changedGuestPaths.length === 0) return [];
  const hit = services.filter((s) => {
    const roots = s.watch ?? pathsIn(s.run);
    return changedGuestPaths.some((p) => roots.some((r) => under(p, r) || under(r, p)));
  });
  return (hit.length ? hit : services).map((s) => s.name);
}

/** Asks init's supervisors to restart these services at once (no backoff), then stops them. */
export function restartCommand(names: string[]): string {
  const list = names.map(shQuote).join(' ');
  // A negative pid is the service's process group (init starts each under setsid): the whole run line stops.
  return `for s in ${list}; do f=/run/yoke/services/$s.pid; touch /run/yoke/services/$s.restart; [ -s "$f" ] && { p=$(cat "$f"); kill -TERM -$p 2>/dev/null || kill $p 2>/dev/null; }; done; true`;
}

/** The spec keys whose change cannot be applied to a running VM (the loop rebuilds and reboots). */
export function needsReboot(before: ApplianceSpec, after: ApplianceSpec): string | null {
  const strip = (s: ApplianceSpec) => ({
    name: s.name,
    base: s.base,
    services: s.services.map((x) => ({ name: x.name, run: x.run })),
    disks: s.disks,
    vm: s.vm,
    network: s.network,
    overlay: s.rootfs.overlay,
    exclude: s.rootfs.exclude,
  });
  const a = strip(before);
  const b = strip(after);
  const changed = (Object.keys(a) as (keyof typeof a)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  if (changed.length === 0) return null;
  const names: Record<string, string> = { overlay: 'rootfs.overlay', exclude: 'rootfs.exclude' };
  const detail = changed.flatMap((k) => {
    if (k === 'vm' || k === 'disks' || k === 'base' || k === 'network') {
      const x = a[k] as Record<string, unknown>;
      const y = b[k] as Record<string, unknown>;
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((kk) => JSON.stringify(x[kk]) !== JSON.stringify(y[kk]));
      return keys.length ? keys.map((kk) => `${k}.${kk.replace(/Bytes$/, '')}`) : [k];
    }
    return [names[k] ?? k];
  });
  return `${detail.join(', ')} changed in appliance.yaml, which a running VM cannot take`;
}
