import { describe, expect, it } from 'vitest';
import { parseMounts, readMount } from '../../../../src-main/checks/kinds/mount';

const ok = (stdout: string, exitCode = 0, stderr = '') => ({ stdout, stderr, exitCode });
const base = { name: 'c', timeoutMs: 1000, line: 1 };

const MOUNTS = `rootfs / rootfs rw 0 0
proc /proc proc rw,nosuid 0 0
/dev/vdb /data ext4 rw,relatime 0 0
tmpfs /srv/my\\040files tmpfs rw 0 0
`;

describe('mount', () => {
  it('decodes octal escapes in paths', () => {
    expect(parseMounts(MOUNTS).map((m) => m.path)).toEqual(['/', '/proc', '/data', '/srv/my files']);
  });
  it('passes for a mounted path, with or without trailing slash, and checks the type', () => {
    expect(readMount({ ...base, kind: 'mount', path: '/data/' }, ok(MOUNTS))).toEqual({ ok: true, detail: '/data is mounted (ext4 from /dev/vdb)' });
    expect(readMount({ ...base, kind: 'mount', path: '/srv/my files', fstype: 'tmpfs' }, ok(MOUNTS)).ok).toBe(true);
    expect(readMount({ ...base, kind: 'mount', path: '/data', fstype: 'xfs' }, ok(MOUNTS)).detail).toBe('/data is mounted as ext4 from /dev/vdb, expected xfs');
  });
  it('names what is mounted when the path is not', () => {
    expect(readMount({ ...base, kind: 'mount', path: '/backup' }, ok(MOUNTS)).detail).toBe('nothing is mounted on /backup (mounted: /data, /srv/my files)');
  });
});
