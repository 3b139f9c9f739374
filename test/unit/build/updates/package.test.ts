import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applianceKey, keyFile } from '../../../../src-main/build/updates/keys';
import { manifestText, parseManifest, unpackPackage, writePackage } from '../../../../src-main/build/updates/package';
import { guestHelper } from '../../../../src-main/build/updates/update-stages';
import { fillUpdater, generateUpdater, updaterTemplatePath } from '../../../../src-main/build/updates/updater-script';
import { debugfsPutScript } from '../../../../src-main/tools/debugfs';
import { zstdPatchFromArgs } from '../../../../src-main/tools/zstd';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-upgrade-unit-'));

describe('appliance keys', () => {
  it('makes one Ed25519 key per appliance, private to its owner, and reads the same key back', () => {
    const home = tmp();
    const a = applianceKey(home, 'hello-web');
    expect(fs.statSync(keyFile(home, 'hello-web')).mode & 0o777).toBe(0o600);
    expect(applianceKey(home, 'hello-web').publicRaw.equals(a.publicRaw)).toBe(true);
    expect(applianceKey(home, 'other-web').publicRaw.equals(a.publicRaw)).toBe(false);
    expect(a.publicRaw).toHaveLength(32);
    fs.rmSync(home, { recursive: true });
  });

  it('refuses to replace an unreadable key', () => {
    const home = tmp();
    fs.mkdirSync(path.join(home, 'keys'));
    fs.writeFileSync(keyFile(home, 'hello-web'), 'garbage');
    expect(() => applianceKey(home, 'hello-web')).toThrow(/not readable.*Restore it from a backup/);
    fs.rmSync(home, { recursive: true });
  });
});

describe('update packages', () => {
  const m = { appliance: 'hello-web', version: '1.1.0', type: 'full' as const, initrds: ['base.zst', 'rootfs.zst'], cmdline: 'console=ttyS0 quiet' };

  it('writes a line-based manifest the guest reads with awk, and reads it back', () => {
    const text = manifestText({ ...m, files: [{ kind: 'file', name: 'vmlinuz', sha256: 'ab'.repeat(32), path: '/x' }, { kind: 'same', name: 'base.zst', sha256: 'cd'.repeat(32), oldSha256: 'cd'.repeat(32) }] });
    expect(text.split('\n').slice(0, 6)).toEqual(['yoke-update 1', 'appliance hello-web', 'version 1.1.0', 'type full', 'initrd base.zst rootfs.zst', 'cmdline console=ttyS0 quiet']);
    const back = parseManifest(text);
    expect(back.fields.version).toBe('1.1.0');
    expect(back.files.map((f) => f.kind)).toEqual(['file', 'same']);
  });

  it('names a root image with its size, and a root patch with the size of the root it patches (the guest reads partitions by those)', () => {
    const text = manifestText({ ...m, files: [
      { kind: 'root', name: 'rootfs.erofs', sha256: 'ab'.repeat(32), size: 45056, path: '/x' },
      { kind: 'rootpatch', name: 'rootfs.erofs', sha256: 'ab'.repeat(32), size: 45056, oldSha256: 'cd'.repeat(32), oldSize: 40960, patchPath: '/p' },
    ] });
    expect(text).toContain(`root rootfs.erofs ${'ab'.repeat(32)} 45056\n`);
    expect(text).toContain(`rootpatch rootfs.erofs ${'ab'.repeat(32)} 45056 ${'cd'.repeat(32)} 40960\n`);
    expect(parseManifest(text).files).toEqual([
      { kind: 'root', name: 'rootfs.erofs', sha256: 'ab'.repeat(32), size: 45056 },
      { kind: 'rootpatch', name: 'rootfs.erofs', sha256: 'ab'.repeat(32), size: 45056, oldSha256: 'cd'.repeat(32), oldSize: 40960 },
    ]);
  });

  it('the guest patcher rebuilds a root image from the first OLDSIZE bytes of a larger partition, and refuses a wrong base', () => {
    const dir = tmp();
    const old = crypto.randomBytes(300_000);
    const changed = Buffer.concat([old.subarray(0, 200_000), Buffer.from('a changed file'), old.subarray(200_000)]);
    fs.writeFileSync(path.join(dir, 'old'), old);
    fs.writeFileSync(path.join(dir, 'new'), changed);
    // The partition: the old image, then whatever the rest of the slot holds.
    fs.writeFileSync(path.join(dir, 'partition'), Buffer.concat([old, crypto.randomBytes(65536)]));
    execFileSync('zstd', zstdPatchFromArgs(path.join(dir, 'old'), path.join(dir, 'new'), path.join(dir, 'patch')), { stdio: 'pipe' });
    const unpatch = guestHelper('yoke-unpatch');
    execFileSync(unpatch, [path.join(dir, 'partition'), path.join(dir, 'patch'), path.join(dir, 'out'), String(old.length)], { stdio: 'pipe' });
    expect(fs.readFileSync(path.join(dir, 'out')).equals(changed)).toBe(true);
    // The whole partition as the base is not the root the patch was made against.
    expect(() => execFileSync(unpatch, [path.join(dir, 'partition'), path.join(dir, 'patch'), path.join(dir, 'out2')], { stdio: 'pipe' })).toThrow();
    expect(() => execFileSync(unpatch, [path.join(dir, 'old'), path.join(dir, 'patch'), path.join(dir, 'out3'), '999999999'], { stdio: 'pipe' })).toThrow();
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses names that would break the manifest or escape the boot partition', () => {
    expect(() => manifestText({ ...m, version: '1.0 evil', files: [] })).toThrow(/may only hold/);
    expect(() => manifestText({ ...m, files: [{ kind: 'file', name: '../x', sha256: '', path: '' }] })).toThrow(/may only hold/);
  });

  it('signs the manifest so the static guest verifier accepts it, and rejects a changed one', async () => {
    const home = tmp();
    const key = applianceKey(home, 'hello-web');
    const payload = path.join(home, 'vmlinuz');
    fs.writeFileSync(payload, crypto.randomBytes(5000));
    const pkg = path.join(home, 'p.yup');
    await writePackage(pkg, { ...m, files: [{ kind: 'file', name: 'vmlinuz', sha256: crypto.createHash('sha256').update(fs.readFileSync(payload)).digest('hex'), path: payload }] }, key.privateKey, 1704067200);
    const out = path.join(home, 'out');
    fs.mkdirSync(out);
    expect((await unpackPackage(pkg, out)).sort()).toEqual(['manifest', 'manifest.sig', 'vmlinuz']);
    fs.writeFileSync(path.join(home, 'pub'), key.publicRaw);
    const verify = (manifest: string) => {
      try {
        execFileSync(guestHelper('yoke-verify'), [path.join(home, 'pub'), path.join(out, 'manifest.sig'), manifest], { stdio: 'pipe' });
        return 0;
      } catch (e) {
        return (e as { status: number }).status;
      }
    };
    expect(verify(path.join(out, 'manifest'))).toBe(0);
    fs.writeFileSync(path.join(home, 'bad'), fs.readFileSync(path.join(out, 'manifest'), 'utf8').replace('1.1.0', '9.9.9'));
    expect(verify(path.join(home, 'bad'))).toBe(1);
    // Same inputs, same bytes: Ed25519 signatures are deterministic.
    const again = path.join(home, 'q.yup');
    await writePackage(again, { ...m, files: [{ kind: 'file', name: 'vmlinuz', sha256: parseManifest(fs.readFileSync(path.join(out, 'manifest'), 'utf8')).files[0].sha256, path: payload }] }, key.privateKey, 1704067200);
    expect(fs.readFileSync(again).equals(fs.readFileSync(pkg))).toBe(true);
    fs.rmSync(home, { recursive: true });
  });
});

describe('the guest updater script', () => {
  const script = generateUpdater({ name: 'hello-web', version: '1.0.0', dataMount: '/data', fatModules: ['/lib/modules/k/kernel/fs/fat/fat.ko'] });

  it('is valid busybox sh and compares versions as semver (no downgrades, no same version)', () => {
    const dir = tmp();
    const fn = /^vercmp\(\) \{[\s\S]*?^\}$/m.exec(script)![0];
    fs.writeFileSync(path.join(dir, 'u.sh'), script);
    execFileSync('busybox', ['sh', '-n', path.join(dir, 'u.sh')]);
    const cmp = (a: string, b: string) => execFileSync('busybox', ['sh', '-c', `${fn}\nvercmp "$1" "$2"`, 'sh', a, b]).toString().trim();
    expect(cmp('1.1.0', '1.0.0')).toBe('1');
    expect(cmp('1.0.0', '1.0.0')).toBe('0');
    expect(cmp('0.9.9', '1.0.0')).toBe('-1');
    expect(cmp('1.10.0', '1.9.0')).toBe('1');
    expect(cmp('1.0.0-rc.1', '1.0.0')).toBe('-1');
    expect(cmp('1.0.0-beta.2', '1.0.0-beta.10')).toBe('-1');
    fs.rmSync(dir, { recursive: true });
  });

  // Issue 15 item 13: a refused package's move was not synced; after a hard power-off it was retried with an empty reason.
  it('writes and syncs the refusal reason before moving a refused package, and syncs the move', () => {
    const fn = /^refuse\(\) \{[\s\S]*?^\}$/m.exec(script)![0];
    const at = (s: string) => fn.indexOf(s);
    expect(at('.reason"')).toBeGreaterThan(0);
    expect(at('sync')).toBeGreaterThan(at('.reason"'));
    expect(at('mv "$1"')).toBeGreaterThan(at('sync'));
    expect(fn.indexOf('sync', at('mv "$1"'))).toBeGreaterThan(at('mv "$1"'));
  });

  // Issue 15 item 14: an oversized manifest was refused as "bad signature".
  it('refuses a manifest over the verifier\'s 1 MiB as too big, before checking its signature', () => {
    const fn = /^check_package\(\) \{[\s\S]*?^\}$/m.exec(script)![0];
    expect(fn).toContain('[ "$msz" -le 1048576 ] || { why="its manifest is $msz bytes, over the 1 MiB');
    expect(fn.indexOf('-le 1048576')).toBeLessThan(fn.indexOf('$VERIFY'));
    // run the size check for real with busybox
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'manifest'), Buffer.alloc(1048577, 'a'));
    const line = fn.split('\n').find((l) => l.includes('-le 1048576'))!;
    const out = execFileSync('busybox', ['sh', '-c', `f() {\nmsz=$(wc -c <${dir}/manifest)\n${line}\necho verified\n}\nf || echo "REFUSED: $why"`]).toString();
    expect(out).toBe('REFUSED: its manifest is 1048577 bytes, over the 1 MiB an update package may carry (the signature was not even checked); make the package again with yoke build\n');
    fs.rmSync(dir, { recursive: true });
  });

  // An attached medium whose update rolled back must not install again on every boot (install, trial, roll back, forever).
  it('does not install a medium\'s package again once that version rolled back, unless its reason is deleted', () => {
    const fn = /^rolled_back_before\(\) \{[\s\S]*?^\}$/m.exec(script)![0];
    // Asked before anything is written: in apply_one before the other slot is emptied, in apply_bundle before install_slot.
    const one = /^apply_one\(\) \{[\s\S]*?^\}$/m.exec(script)![0];
    expect(one.indexOf('rolled_back_before "$pkg" "$new" && return 1')).toBeGreaterThan(0);
    expect(one.indexOf('rolled_back_before')).toBeLessThan(one.indexOf('rm -rf "$dest"'));
    const bundle = /^apply_bundle\(\) \{[\s\S]*?^\}$/m.exec(script)![0];
    expect(bundle.indexOf('rolled_back_before "$pkg" "$cur" && return 1')).toBeLessThan(bundle.indexOf('install_slot'));
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'updates', 'failed'), { recursive: true });
    const run = (pkg: string) => execFileSync('busybox', ['sh', '-c', `say() { echo "SAY: $*"; }\nMEDIUM=${dir}/medium UPDATES=${dir}/updates NAME=hello-web WORK=${dir}/work\n${fn}\nrolled_back_before ${pkg} 1.1.0 && echo skipped || echo install`]).toString();
    expect(run(`${dir}/medium/hello-web-1.1.0.full.yup`)).toBe('install\n');
    fs.writeFileSync(path.join(dir, 'updates', 'failed', 'hello-web-1.1.0.reason'), 'LABEL=appdata is not mounted on /data\n');
    expect(run(`${dir}/medium/hello-web-1.1.0.full.yup`)).toBe(`SAY: not installing hello-web 1.1.0 from the update medium: it rolled back before (${dir}/updates/failed/hello-web-1.1.0.reason says why; delete that file to try again)\nskipped\n`);
    // A package dropped on the data disk is the customer asking again: it is installed.
    expect(run(`${dir}/updates/hello-web-1.1.0.full.yup`)).toBe('install\n');
    fs.rmSync(dir, { recursive: true });
  });

  it('looks for packages on the data disk and knows its own name and version', () => {
    expect(script).toContain("UPDATES='/data/updates'");
    expect(script).toContain("NAME='hello-web'");
    expect(script).toContain("TRIAL_READY_S='120'");
  });

  it('is the shell file resources/guest/yoke-update.sh, which sh -n accepts as it is and filled in', () => {
    const template = fs.readFileSync(updaterTemplatePath(), 'utf8');
    expect(updaterTemplatePath()).toMatch(/resources\/guest\/yoke-update\.sh$/);
    for (const sh of [['sh'], ['busybox', 'sh']]) {
      execFileSync(sh[0], [...sh.slice(1), '-n', updaterTemplatePath()]);
      const dir = tmp();
      const odd = generateUpdater({ name: "it's", version: '2.0.0-rc.1', dataMount: null, fatModules: [] });
      fs.writeFileSync(path.join(dir, 'u.sh'), odd);
      execFileSync(sh[0], [...sh.slice(1), '-n', path.join(dir, 'u.sh')]);
      fs.rmSync(dir, { recursive: true });
    }
    // Only the KEY=@KEY@ lines change: the rest of the generated script is the file, line for line.
    const a = template.split('\n');
    const b = script.split('\n');
    expect(b).toHaveLength(a.length);
    const changed = a.map((l, n) => (l === b[n] ? null : `${l} -> ${b[n]}`)).filter(Boolean);
    expect(changed).toEqual([
      "NAME=@NAME@ -> NAME='hello-web'",
      "VERSION=@VERSION@ -> VERSION='1.0.0'",
      "UPDATES=@UPDATES@ -> UPDATES='/data/updates'",
      "DATA=@DATA@ -> DATA='/data'",
      "PUB=@PUB@ -> PUB='/etc/yoke/update.pub'",
      "VERIFY=@VERIFY@ -> VERIFY='/usr/lib/yoke/yoke-verify'",
      "UNPATCH=@UNPATCH@ -> UNPATCH='/usr/lib/yoke/yoke-unpatch'",
      "FAT_MODULES=@FAT_MODULES@ -> FAT_MODULES='/lib/modules/k/kernel/fs/fat/fat.ko'",
      "TRIAL_READY_S=@TRIAL_READY_S@ -> TRIAL_READY_S='120'",
      "SETTLE_S=@SETTLE_S@ -> SETTLE_S='3'",
      "TRIES=@TRIES@ -> TRIES='3'",
      "SERVICE_DIR=@SERVICE_DIR@ -> SERVICE_DIR='/run/yoke/services'",
      "MEDIUM_LABEL=@MEDIUM_LABEL@ -> MEDIUM_LABEL='YOKEUPDATE'",
      "SLOT_MARK=@SLOT_MARK@ -> SLOT_MARK='%SLOT%'",
      "COMMIT_CHECKS=@COMMIT_CHECKS@ -> COMMIT_CHECKS='/etc/yoke/commit-checks'",
    ]);
  });

  it('quotes every value for sh, and refuses a placeholder without a value or a value without a placeholder', () => {
    expect(fillUpdater('#!/bin/sh\nNAME=@NAME@\necho "$NAME"\n', { NAME: "a'b $(reboot)" })).toBe("#!/bin/sh\nNAME='a'\\''b $(reboot)'\necho \"$NAME\"\n");
    expect(() => fillUpdater('NAME=@NAME@\nX=@X@\n', { NAME: 'n' })).toThrow(/no value for the placeholder in "X=@X@"/);
    expect(() => fillUpdater('NAME=@NAME@\n', { NAME: 'n', DATA: '/data' })).toThrow(/no placeholder for DATA/);
    expect(() => fillUpdater('echo @NAME@\n', { NAME: 'n' })).toThrow(/@NAME@ is not on a KEY=@KEY@ line/);
  });
});

describe('tool argv', () => {
  it('debugfs: makes the folder, replaces the file, owns it by root', () => {
    expect(debugfsPutScript('/updates', [{ src: '/h/p.yup', name: 'p.yup' }])).toBe('mkdir "/updates"\nrm "/updates/p.yup"\nwrite "/h/p.yup" "/updates/p.yup"\nsif "/updates/p.yup" uid 0\nsif "/updates/p.yup" gid 0\n');
    expect(() => debugfsPutScript('/u', [{ src: '/a"b', name: 'x' }])).toThrow(/cannot take the path/);
  });

  it('zstd: a delta against the old file', () => {
    expect(zstdPatchFromArgs('/old', '/new', '/out')).toEqual(['-19', '-T0', '-q', '-f', '--no-progress', '--patch-from=/old', '/new', '-o', '/out']);
    // A root image of tens of MB: level 9 (0.6 s against 18 s at 19, for a patch 1 KB larger).
    expect(zstdPatchFromArgs('/old', '/new', '/out', 44 * 1024 * 1024)[0]).toBe('-9');
  });
});
