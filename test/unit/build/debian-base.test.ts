// The pure parts of the Debian base: mmdebstrap's argv, the lock's text, the index parser, the
// partition table with a root partition, stage 1's text, and the spec's base keys.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatLock, parseDebName, parseLock, type DebianLock } from '../../../src-main/build/bases/debian-lock';
import { listOrigin, mirrorSources, parsePackages } from '../../../src-main/build/bases/debian-mirror';
import { generateStage1, ROOT_FLAG } from '../../../src-main/build/bases/debian-stage1';
import { stateLines } from '../../../src-main/build/init';
import { buildOsDisk } from '../../../src-main/build/osdisk';
import { debianSources, mmdebstrapArgs } from '../../../src-main/tools/mmdebstrap';
import { GPT_TYPES, sfdiskScript } from '../../../src-main/tools/sfdisk';
import { loadSpec } from '../../../src-main/spec/load';

describe('mmdebstrap argv', () => {
  const base = { mode: 'unshare' as const, release: 'bookworm', packages: ['nginx', 'sqlite3'], sources: debianSources('bookworm'), output: '/tmp/x/base.tar' };
  it('installs the essential set plus the packages, merged /usr, docs and man pages left out, the image sources canonical', () => {
    const a = mmdebstrapArgs(base);
    expect(a.slice(0, 3)).toEqual(['--mode=unshare', '--variant=essential', '--format=tar']);
    expect(a).toContain('--include=nginx,sqlite3');
    expect(a).toContain('--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr');
    expect(a).toContain('--dpkgopt=path-exclude=/usr/share/man/*');
    expect(a).toContain('--dpkgopt=path-include=/usr/share/doc/*/copyright');
    expect(a.some((x) => x.includes('99mmdebstrap') && x.includes('resolv.conf'))).toBe(true);
    expect(a.slice(-5)).toEqual([
      'bookworm',
      '/tmp/x/base.tar',
      'deb http://deb.debian.org/debian bookworm main',
      'deb http://deb.debian.org/debian bookworm-updates main',
      'deb http://deb.debian.org/debian-security bookworm-security main',
    ]);
    expect(a.join(' ')).not.toMatch(/Check-Valid-Until/);
  });
  it('from a kept mirror: copy:// sources, no validity expiry, and the real archive in the image', () => {
    const sources = mirrorSources('/home/u/cache/debian/mirrors/abc', base.sources);
    expect(sources[2].uri).toBe('copy:///home/u/cache/debian/mirrors/abc/deb.debian.org_debian-security');
    const a = mmdebstrapArgs({ ...base, sources, imageSources: base.sources, offline: true });
    expect(a).toContain('--aptopt=Acquire::Check-Valid-Until "false"');
    const hook = a.find((x) => x.includes('sources.list'))!;
    expect(hook).toContain('deb http://deb.debian.org/debian-security bookworm-security main');
    expect(hook).not.toContain('copy://');
  });
  it('names list files as apt does', () => {
    expect(listOrigin('http://deb.debian.org/debian-security')).toBe('deb.debian.org_debian-security');
  });
});

describe('appliance.lock', () => {
  const lock: DebianLock = {
    release: 'bookworm',
    requested: ['nginx', 'sqlite3'],
    indexes: [{ name: 'deb.debian.org_debian_dists_bookworm_InRelease', sha256: 'a'.repeat(64) }],
    packages: [
      { name: 'libc6', version: '2.36-9+deb12u10', arch: 'amd64', sha256: 'b'.repeat(64) },
      { name: 'passwd', version: '1:4.13+dfsg1-1+b1', arch: 'amd64', sha256: 'c'.repeat(64) },
    ],
    digest: '',
  };
  it('round-trips through its text, and any change to a version changes its digest', () => {
    const back = parseLock(formatLock(lock), 'appliance.lock');
    expect({ ...back, digest: '' }).toEqual(lock);
    const other = parseLock(formatLock(lock).replace('2.36-9+deb12u10', '2.36-9+deb12u11'), 'appliance.lock');
    expect(other.digest).not.toBe(back.digest);
  });
  it('refuses a file that is not a lock, saying what to do', () => {
    expect(() => parseLock('hello', '/x/appliance.lock')).toThrow(/\/x\/appliance.lock is not an appliance.lock.*--refresh/);
  });
  it('reads apt file names, epochs included', () => {
    expect(parseDebName('passwd_1%3a4.13+dfsg1-1+b1_amd64.deb')).toEqual({ name: 'passwd', version: '1:4.13+dfsg1-1+b1', arch: 'amd64' });
    expect(parseDebName('lock')).toBeNull();
  });
  it('the sample ships a lock naming nginx and sqlite3', () => {
    const l = parseLock(fs.readFileSync(path.resolve(__dirname, '../../../resources/sample/notes-web/appliance.lock'), 'utf8'), 'sample');
    expect(l.requested).toEqual(['nginx', 'sqlite3']);
    expect(l.packages.map((p) => p.name)).toEqual(expect.arrayContaining(['nginx', 'sqlite3', 'libsqlite3-0']));
  });
});

describe('the mirror', () => {
  it('reads pool paths and hashes from a Packages index', () => {
    const m = parsePackages('Package: nginx\nVersion: 1.22\nArchitecture: amd64\nFilename: pool/main/n/nginx/nginx_1.22_amd64.deb\nSHA256: ' + 'd'.repeat(64) + '\n\nPackage: x\n');
    expect(m.get('nginx 1.22 amd64')).toEqual({ filename: 'pool/main/n/nginx/nginx_1.22_amd64.deb', sha256: 'd'.repeat(64) });
    expect(m.size).toBe(1);
  });
});

describe('the OS disk of a Debian base', () => {
  it('has a BIOS-boot partition, the boot partition and two root slots, all with pinned GUIDs and names', () => {
    const g = (n: number) => `0000000${n}-0000-4000-8000-000000000000`;
    const s = sfdiskScript({ diskGuid: g(0), partitions: [
      { startSector: 2048, sectors: 2048, type: GPT_TYPES.biosBoot, name: 'bios-boot', uuid: g(1) },
      { startSector: 4096, sectors: 65536, type: GPT_TYPES.esp, name: 'yoke-boot', uuid: g(2) },
      { startSector: 69632, sectors: 100000, type: GPT_TYPES.linux, name: 'root-a', uuid: g(3) },
      { startSector: 169632, sectors: 100000, type: GPT_TYPES.linux, name: 'root-b', uuid: g(4) },
    ] });
    expect(s).toContain('label: gpt\nlabel-id: 00000000-0000-4000-8000-000000000000\n');
    expect(s).toContain(`start=4096, size=65536, type=${GPT_TYPES.esp}, uuid=${g(2)}, name="yoke-boot"`);
    expect(s).toContain(`start=169632, size=100000, type=${GPT_TYPES.linux}, uuid=${g(4)}, name="root-b"`);
    expect(() => sfdiskScript({ diskGuid: 'nope', partitions: [] })).toThrow(/not a GUID/);
  });
  it('says how big the OS disk must be when the root filesystem does not fit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-debian-disk-'));
    try {
      const f = (n: string, bytes: number) => {
        const p = path.join(dir, n);
        fs.writeFileSync(p, '');
        fs.truncateSync(p, bytes);
        return p;
      };
      const input = { out: path.join(dir, 'os.raw'), sizeBytes: 64 * 1048576, appliance: 'x', version: '1.0.0', kernel: f('vmlinuz', 8 * 1048576), initrds: [{ name: 'base.zst', path: f('base.zst', 1048576) }], cmdline: 'x', id: '0a0b0c0d', epoch: 1704067200, rootImage: f('root.erofs', 60 * 1048576) };
      await expect(buildOsDisk(input)).rejects.toThrow(/two root slots \(76 MiB each, for the 60 MiB root filesystem and a later version\) need 187 MiB, more than the OS disk's 64 MiB\. Raise disks\.os\.size in appliance\.yaml to at least 187M/);
      expect(fs.existsSync(input.out)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it("stage 1 loads crc32c before erofs, finds the root by its UUID and switches to Yoke's init", () => {
    const t = generateStage1(['/lib/modules/k/crc32c_generic.ko', '/lib/modules/k/erofs.ko']);
    expect(t.indexOf('crc32c_generic')).toBeLessThan(t.indexOf('erofs.ko'));
    expect(t).toContain(`${ROOT_FLAG}=`);
    expect(t).toContain('mount -t erofs -o ro');
    expect(t).toMatch(/exec switch_root \/root \/usr\/lib\/yoke\/busybox sh \/init/);
    // On a trial boot a root that cannot be found or mounted reboots (GRUB counts the try), never powers off.
    expect(t).toMatch(/fail\(\) \{[^}]*grep -qw yoke\.trial=1 \/proc\/cmdline; then [^}]*reboot -f; fi;[^}]*poweroff -f; \}/);
  });
  it('keeps state directories on the data disk, seeded once through a temp name', () => {
    const t = stateLines({ dataMount: '/data', dirs: ['/var/lib/postgresql'] }).join('\n');
    expect(t).toContain("keep='/data/.yoke-state'$d");
    expect(t).toContain('cp -a "$d" "$keep.seed" && mv "$keep.seed" "$keep"');
    expect(t).toContain('mount --bind "$keep" "$d"');
  });
});

describe('spec: base keys', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const spec = (yaml: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-debian-spec-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'appliance.yaml'), yaml);
    return loadSpec(dir);
  };
  it('reads release, packages and state', () => {
    const r = spec('name: a\nversion: 1.0.0\nbase:\n  userland: debian\n  packages: [nginx]\n  state: [/var/lib/postgresql/]\n');
    expect(r.problems).toEqual([]);
    expect(r.spec!.base).toEqual({ kernel: 'auto', userland: 'debian', release: 'bookworm', packages: ['nginx'], state: ['/var/lib/postgresql'] });
  });
  it('says where and why for Debian keys without a Debian base, unknown releases, bad names and state without a data disk', () => {
    const msgs = (y: string) => spec(y).problems.map((p) => `${p.line}: ${p.message}`).join('\n');
    expect(msgs('name: a\nversion: 1.0.0\nbase:\n  packages: [nginx]\n')).toMatch(/^4: base.packages applies to userland: debian only/);
    expect(msgs('name: a\nversion: 1.0.0\nbase:\n  userland: debian\n  release: buster\n')).toMatch(/5: expected a Debian release Yoke builds \(bookworm\), found 'buster'/);
    expect(msgs('name: a\nversion: 1.0.0\nbase:\n  userland: debian\n  packages: [Nginx]\n')).toMatch(/bad package name 'Nginx'/);
    expect(msgs('name: a\nversion: 1.0.0\nbase:\n  userland: debian\n  state: [/var/lib/x]\ndisks:\n  data: none\n')).toMatch(/state directory \/var\/lib\/x lives on the data disk, but disks.data is 'none'/);
    expect(msgs('name: a\nversion: 1.0.0\nbase:\n  userland: alpine\n')).toMatch(/expected 'busybox' or 'debian', found 'alpine'/);
  });
});
