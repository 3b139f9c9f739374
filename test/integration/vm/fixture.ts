// A tiny bootable guest for VM and check tests, assembled with plain tools (cpio, apt-get,
// dpkg-deb) rather than Yoke's build engine: a static busybox initramfs booted with -kernel.
// Its init keeps the contract of real images: "yoke: ready" on ttyS0 once services run, and
// a root shell on ttyS1 when the kernel command line has yoke.control=1.
import { execFileSync, execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CACHE = path.join(os.tmpdir(), 'yoke-test-kernel');
/** Load order matters: virtio_ring before virtio, or devices silently never appear. */
const MODULES = ['virtio_ring', 'virtio', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio_pci', 'failover', 'net_failover', 'virtio_net', 'virtio_blk', 'button', 'evdev'];

export interface TestKernel {
  kernel: string;
  modulesDir: string;
}

/** Debian's cloud kernel and the few modules the fixture loads, fetched once per machine. */
export function ensureTestKernel(): TestKernel {
  const kernel = path.join(CACHE, 'vmlinuz');
  const modulesDir = path.join(CACHE, 'modules');
  if (fs.existsSync(kernel) && MODULES.every((m) => fs.existsSync(path.join(modulesDir, `${m}.ko`)))) return { kernel, modulesDir };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-kernel-fetch-'));
  const deps = execFileSync('apt-cache', ['depends', 'linux-image-cloud-amd64'], { encoding: 'utf8' });
  const pkg = /Depends: (linux-image-\S+)/.exec(deps)?.[1];
  if (!pkg) throw new Error(`apt-cache depends linux-image-cloud-amd64 named no kernel package:\n${deps}`);
  execFileSync('apt-get', ['download', pkg], { cwd: work, stdio: 'ignore' });
  const deb = fs.readdirSync(work).find((f) => f.endsWith('.deb'))!;
  execFileSync('dpkg-deb', ['-x', deb, 'x'], { cwd: work });
  const staged = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-test-kernel-new-'));
  fs.mkdirSync(path.join(staged, 'modules'));
  const boot = path.join(work, 'x', 'boot');
  fs.copyFileSync(path.join(boot, fs.readdirSync(boot).find((f) => f.startsWith('vmlinuz'))!), path.join(staged, 'vmlinuz'));
  const found = execFileSync('find', [path.join(work, 'x', 'lib', 'modules'), '-name', '*.ko'], { encoding: 'utf8' }).split('\n');
  for (const m of MODULES) {
    const f = found.find((p) => path.basename(p) === `${m}.ko`);
    if (!f) throw new Error(`module ${m}.ko is not in ${pkg}`);
    fs.copyFileSync(f, path.join(staged, 'modules', `${m}.ko`));
  }
  fs.rmSync(CACHE, { recursive: true, force: true });
  fs.renameSync(staged, CACHE);
  fs.rmSync(work, { recursive: true, force: true });
  return { kernel, modulesDir };
}

const INIT = `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /run/yoke /usr/bin /usr/sbin /sbin /data /var/log
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
for m in ${MODULES.join(' ')}; do insmod /lib/modules/$m.ko; done
ip link set lo up
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2
[ -b /dev/vda ] && mount -t ext4 /dev/vda /data
# fixture.noacpi=1: a guest that ignores the power button (for the stop ladder).
grep -q fixture.noacpi=1 /proc/cmdline || acpid -c /etc/acpi
httpd -f -p 80 -h /srv/www & echo $! > /run/yoke/web.pid
echo "yoke: ready"
if grep -q 'yoke.control=1' /proc/cmdline; then
  (while true; do setsid sh -c 'exec sh -i </dev/ttyS1 >/dev/ttyS1 2>&1'; sleep 0.2; done) &
fi
while true; do sleep 3600; done
`;

/** Builds the fixture initramfs (uncompressed newc cpio) into `out`. */
export function makeFixtureInitramfs(out: string, extra: Record<string, string> = {}): string {
  const { modulesDir } = ensureTestKernel();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-fixture-root-'));
  const put = (rel: string, content: string | Buffer, mode = 0o644) => {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    fs.chmodSync(p, mode);
  };
  put('init', INIT, 0o755);
  put('bin/busybox', fs.readFileSync('/bin/busybox'), 0o755);
  for (const m of MODULES) put(`lib/modules/${m}.ko`, fs.readFileSync(path.join(modulesDir, `${m}.ko`)));
  put('srv/www/index.html', 'hello from the fixture\n');
  put('etc/acpi/PWRF/00000080', '#!/bin/sh\nsync\npoweroff -f\n', 0o755);
  put('etc/secret', 'top\n', 0o600);
  for (const [rel, content] of Object.entries(extra)) put(rel, content, rel.startsWith('bin/') ? 0o755 : 0o644);
  execSync(`find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet > ${JSON.stringify(path.resolve(out))}`, { cwd: root, shell: '/bin/sh' });
  fs.rmSync(root, { recursive: true, force: true });
  return out;
}

/** A small ext4 data disk holding `files`, labelled like an appliance's data disk. */
export function makeDataDisk(out: string, files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-fixture-data-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  execFileSync('truncate', ['-s', '16M', out]);
  execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-L', 'data', '-d', dir, out]);
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

/** Kernel command line for fast fixture boots; yoke.control=1 asks init for the control shell. */
export const FIXTURE_APPEND = 'console=ttyS0 quiet cryptomgr.notests tsc=reliable no_timer_check i8042.noaux random.trust_cpu=on mitigations=off yoke.control=1';

export function makeTestHome(prefix = 'yoke-vm-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** qemu processes whose command line names `-name yoke-<vmid>` (for no-orphan assertions). */
export function qemuPidsNamed(vmid: string): number[] {
  const pids: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      const i = argv.indexOf('-name');
      if (i >= 0 && argv[i + 1] === `yoke-${vmid}`) pids.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}
