// mount: a filesystem is mounted at a guest path (optionally of a given type), from /proc/mounts.
import { z } from 'zod';
import { expected, guestPath, strict, text } from '../../spec/zod-rules';
import { shQuote } from '../../vm/control-frame';
import { defineKind, opt, textField } from './kind';

export const MOUNT_COMMAND = 'cat /proc/mounts';

export interface MountEntry {
  device: string;
  path: string;
  fstype: string;
}

/** /proc/mounts escapes space, tab, newline and backslash as octal (\040 ...). */
export function parseMounts(text: string): MountEntry[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f.length >= 3)
    .map((f) => ({ device: unescape(f[0]), path: unescape(f[1]), fstype: f[2] }));
}

function normalPath(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

export type MountCheck = { kind: 'mount'; path: string; fstype?: string };

export function readMount(check: MountCheck, r: { stdout: string }) {
  const want = normalPath(check.path);
  const mounts = parseMounts(r.stdout);
  // The last entry wins: a later mount over the same path hides the earlier one.
  const m = mounts.filter((e) => e.path === want).pop();
  if (!m) {
    const near = mounts.map((e) => e.path).filter((p) => p !== '/' && !/^\/(proc|sys|dev|run)(\/|$)/.test(p));
    return { ok: false, detail: `nothing is mounted on ${want} (mounted: ${near.length ? near.join(', ') : 'only system filesystems'})` };
  }
  if (check.fstype && m.fstype !== check.fstype) {
    return { ok: false, detail: `${want} is mounted as ${m.fstype} from ${m.device}, expected ${check.fstype}` };
  }
  return { ok: true, detail: `${want} is mounted (${m.fstype} from ${m.device})` };
}

const Mount = z.union(
  [guestPath('a guest path like /data'), strict('a mapping { path, fstype }', { path: guestPath('a guest path like /data'), fstype: text('a filesystem type like ext4').optional() })],
  expected('a guest path like /data, or a mapping { path, fstype }'),
);

export const mount = defineKind({
  kind: 'mount',
  schema: Mount.meta({ title: 'A filesystem is mounted at this guest path' }),
  normalize: (raw: z.infer<typeof Mount>) => {
    const m = typeof raw === 'string' ? { path: raw } : raw;
    return { name: `mount ${m.path}`, check: { kind: 'mount', path: m.path, ...opt('fstype', m.fstype) } as MountCheck };
  },
  probe: async (check, t) => readMount(check, await t.run(MOUNT_COMMAND)),
  inGuest: (c) => {
    const want = normalPath(c.path);
    return `awk -v p=${shQuote(want)} -v t=${shQuote(c.fstype ?? '')} '$2 == p { f = (t == "" || $3 == t) } END { exit !f }' /proc/mounts || { echo ${shQuote(`nothing is mounted on ${want}${c.fstype ? ` as ${c.fstype}` : ''}`)}; exit 1; }`;
  },
  retry: 'guest',
  label: 'A filesystem is mounted',
  fields: [
    { name: 'path', label: 'Guest path', type: 'text', required: true },
    { name: 'fstype', label: 'Filesystem type', type: 'text', required: false },
  ],
  example: { path: '/data', fstype: 'ext4' },
  wizardValue: (f) => {
    const fstype = textField(f, 'fstype');
    const p = textField(f, 'path') ?? '';
    return fstype ? { path: p, fstype } : p;
  },
});
