import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DoctorReport } from '../../../src-main/api/contract';
import { doctorCommand } from '../../../src-main/cli/commands/doctor';
import type { CliContext } from '../../../src-main/cli/types';
import { runDoctor } from '../../../src-main/host/doctor';
import { findKernel } from '../../../src-main/build/kernel';
import { runCli } from '../../../src-main/cli/main';
import { sharedKernel, tmpHome } from './helpers';

const homes: string[] = [];
function home(): string {
  const h = tmpHome();
  homes.push(h);
  return h;
}
afterAll(() => {
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});

async function cli(argv: { json?: boolean; refresh?: boolean }, h: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = { home: h, json: Boolean(argv.json), tty: false, out: (t) => void (out += t), err: (t) => void (err += t) };
  const code = await doctorCommand.run(ctx, { values: { refresh: argv.refresh }, positionals: [] });
  return { code, out, err };
}

describe('yoke doctor on this machine', () => {
  it('finds the tools, says KVM is not usable and why, and answers quickly', async () => {
    const t0 = performance.now();
    const r = await runDoctor(home());
    const ms = performance.now() - t0;
    console.log(`runDoctor answered in ${ms.toFixed(0)} ms; KVM: ${r.accel.kvm} — ${r.accel.reason}`);
    expect(DoctorReport.parse(r)).toEqual(r);
    const qemuImg = r.tools.find((t) => t.name === 'qemu-img')!;
    expect(qemuImg).toMatchObject({ found: true, path: expect.stringMatching(/qemu-img$/), version: expect.stringMatching(/^\d+\.\d+/) });
    const busybox = r.tools.find((t) => t.name === 'busybox')!;
    expect(busybox).toMatchObject({ found: true, path: '/bin/busybox' });
    expect(busybox.problem).toBeUndefined();
    expect(r.accel.kvm).not.toBe('usable');
    expect(r.accel.using).toBe('tcg');
    expect(r.accel.reason.length).toBeGreaterThan(10);
    expect(r.ok).toBe(true);
    expect(r.missingApt).toEqual([]);
    expect(r.aptCommand).toBeUndefined();
    expect(ms).toBeLessThan(10_000); // a generous bound on "answers at all", not a speed target
  });

  it('with an empty PATH lists the missing tools and the exact apt command', async () => {
    const empty = tmpHome('yoke-empty-path-');
    homes.push(empty);
    const r = await runDoctor(home(), { pathEnv: empty, isRoot: false });
    const missing = r.tools.filter((t) => !t.found).map((t) => t.name);
    expect(missing).toEqual(expect.arrayContaining(['qemu-system-x86_64', 'qemu-img', 'mcopy', 'mformat', 'grub-mkimage', 'zstd', 'cpio']));
    expect(r.ok).toBe(false);
    // sbin programs are still found: Debian keeps them off a normal user's PATH, so the doctor looks there too.
    expect(r.tools.find((t) => t.name === 'mke2fs')?.found).toBe(true);
    expect(r.missingApt).toEqual(['qemu-system-x86', 'qemu-utils', 'mtools', 'grub-common', 'zstd', 'cpio', 'libxml2-utils']);
    // A Debian base's tools are listed, but a machine without them is ready for busybox appliances.
    expect(r.tools.find((t) => t.name === 'mmdebstrap')).toMatchObject({ found: false, optional: expect.stringMatching(/Debian base/) });
    expect(r.aptCommand).toBe('sudo apt-get install -y qemu-system-x86 qemu-utils mtools grub-common zstd cpio libxml2-utils');
    expect((await runDoctor(home(), { pathEnv: empty, isRoot: true })).aptCommand).toBe('apt-get install -y qemu-system-x86 qemu-utils mtools grub-common zstd cpio libxml2-utils');
  });
});

describe('what the doctor checks beyond PATH', () => {
  it('refuses a dynamically linked busybox, saying why, and asks for busybox-static', async () => {
    // qemu-img is a dynamically linked ELF: standing in for the wrong busybox package.
    const r = await runDoctor(home(), {
      isRoot: false,
      catalogue: [{ name: 'busybox', aptPackage: 'busybox-static', purpose: 'userland', fixedPath: ['/usr/bin/qemu-img'], mustBeStatic: true, versionArgv: [] }],
    });
    expect(r.tools[0]).toMatchObject({ found: false, path: '/usr/bin/qemu-img', problem: expect.stringMatching(/dynamically linked/) });
    expect(r.aptCommand).toBe('sudo apt-get install -y busybox-static');
  });

  it('reports the kernel fetched into the home cache, and says how to get one when there is none', async () => {
    const k = await sharedKernel();
    // A readable host kernel in /boot wins over the cache; this machine has none, others may.
    const hostKernel = findKernel(home());
    const h = home();
    fs.mkdirSync(path.join(h, 'cache'));
    fs.symlinkSync(path.dirname(path.dirname(path.dirname(k.path))), path.join(h, 'cache', 'kernels'));
    const found = await runDoctor(h, { catalogue: [] });
    expect(found.kernel).toMatchObject(
      hostKernel
        ? { found: true, path: hostKernel.path, source: 'host' }
        : { found: true, path: path.join(h, 'cache', 'kernels', k.version, 'boot', path.basename(k.path)), source: 'cache' },
    );
    expect(found.kernel.detail).toContain(hostKernel?.version ?? k.version);

    const none = await runDoctor(home(), { catalogue: [] });
    expect(none.kernel).toEqual(
      hostKernel
        ? expect.objectContaining({ found: true, source: 'host' })
        : {
            found: false,
            source: 'none',
            detail: 'no usable kernel yet: `yoke build` fetches linux-image-cloud-amd64 into the cache on first use (needs apt)',
          },
    );
  });
});

describe('the doctor command', () => {
  it('prints a table and the KVM line, exit 0 when everything is there', async () => {
    const r = await cli({}, home());
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^TOOL\s+STATUS\s+VERSION\s+PATH/);
    expect(r.out).toMatch(/^qemu-img\s+found\s+\d+\.\d+\S*\s+\/\S+qemu-img$/m);
    expect(r.out).toMatch(/^KVM: (unusable|absent), using tcg — \S.+$/m);
  });

  it('--json prints exactly one DoctorReport', async () => {
    const r = await cli({ json: true }, home());
    expect(r.code).toBe(0);
    const report = DoctorReport.parse(JSON.parse(r.out));
    expect(report.accel.using).toBe('tcg');
  });

  it('exits 1 and prints the install command when something required is missing', async () => {
    const saved = process.env.PATH;
    const empty = tmpHome('yoke-empty-path-');
    homes.push(empty);
    process.env.PATH = empty;
    try {
      const r = await cli({}, home());
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/^qemu-img\s+MISSING/m);
      expect(r.out).toMatch(/Install them with:\n {2}(sudo )?apt-get install -y qemu-system-x86 qemu-utils mtools grub-common zstd cpio libxml2-utils\n$/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('runs from the command line with --home, --refresh and --json', async () => {
    let out = '';
    const h = home();
    const code = await runCli(['doctor', '--home', h, '--refresh', '--json'], { out: (t) => void (out += t), err: () => undefined, tty: false });
    expect(code).toBe(0);
    expect(DoctorReport.parse(JSON.parse(out)).home).toBe(h);
  });
});
