// `npm run bench`: the figures performance.md names, each as a ratio against a floor measured
// in the same run (the same external tools, or the same qemu boot, without Yoke around them).
// Timings are printed, never asserted. Run with `npm run bench [-- --only build,boot,debian,hardware,live,matrix,ui,upgrade,package,rollback,debian-package]`
// (upgrade includes package, rollback and debian-package: the update package installed inside OLD, one that rolls back, and the Debian sample's).
import fs from 'node:fs';
import os from 'node:os';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Engine } from '../../src-main/api/engine';
import { startBuild } from '../../src-main/jobs/build-job';
import { startTest } from '../../src-main/jobs/test-job';
import { HARDWARE_VARIANTS } from '../../src-main/vm/hardware';
import { takeToolTime } from '../../src-main/tools/tool-time';
import { makeTestHome, removeTestHomes } from '../integration/build/helpers';
import { sampleApplianceDir } from '../../src-main/util/resources';
import { plainBootToHttp } from './plain-boot';
import { upgradeBench } from './upgrade';
import { benchLive } from './live';
import { benchMatrix } from './matrix';
import { benchDebian } from './debian';
import { makeAppliance } from '../integration/upgrade/helpers';
import { debianSample } from '../integration/debian/debian-harness';

const only = (() => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? new Set(process.argv[i + 1].split(',')) : null;
})();
const PARTS = ['build', 'boot', 'debian', 'debian-package', 'hardware', 'live', 'matrix', 'package', 'rollback', 'ui', 'upgrade'];
for (const p of only ?? []) {
  if (!PARTS.includes(p)) {
    console.error(`bench: --only ${p}: no such part; choose from ${PARTS.join(', ')}`);
    process.exit(2);
  }
}
const want = (part: string) => !only || only.has(part);
const rows: { figure: string; yoke: string; floor: string; ratio: string; target: string }[] = [];

function row(figure: string, yokeMs: number, floorMs: number | null, target: string, fmt = ms): void {
  const ratio = floorMs ? `${(yokeMs / floorMs).toFixed(2)}×` : '';
  rows.push({ figure, yoke: fmt(yokeMs), floor: floorMs === null ? '' : fmt(floorMs), ratio, target });
  process.stderr.write(`  ${figure}: ${fmt(yokeMs)}${floorMs ? ` (floor ${fmt(floorMs)}, ${ratio})` : ''}\n`);
}
function ms(v: number): string {
  return v < 1000 ? `${v.toFixed(0)} ms` : `${(v / 1000).toFixed(2)} s`;
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function copyDir(src: string, dest: string): void {
  fs.cpSync(src, dest, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true, verbatimSymlinks: true });
}

/** Peak resident memory of a real `yoke build` process (a cold build in a fresh data directory). */
async function cliPeakRss(app: string): Promise<number> {
  const home = await makeTestHome('yoke-bench-rss-');
  const child = spawn(process.execPath, [path.join(__dirname, '../../bin/yoke.js'), 'build', app, '--home', home, '--no-cache'], { stdio: 'ignore' });
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      // exited
    }
  }, 20);
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  clearInterval(timer);
  if (code !== 0) throw new Error(`yoke build exited with ${code}`);
  return peak;
}

async function build(engine: Engine, dir: string, opts: { noCache?: boolean } = {}) {
  takeToolTime();
  const t0 = performance.now();
  const b = startBuild(engine, { dir, noCache: opts.noCache });
  const outcome = await b.done;
  const wall = performance.now() - t0;
  const tools = takeToolTime();
  if (outcome.status !== 'succeeded') throw new Error(`bench build failed: ${outcome.error}`);
  const detail = engine.store().getBuild(b.buildId)!;
  return { wall, engineMs: detail.durationMs ?? wall, tools, detail };
}

async function benchBuild(): Promise<string | null> {
  process.stderr.write('build (sample appliance, all outputs)\n');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-bench-'));
  const app = path.join(work, 'hello-web');
  copyDir(sampleApplianceDir(), app);
  const home = await makeTestHome('yoke-bench-home-');
  const engine = new Engine({ home, face: 'cli' });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);
  try {
    const cold = await build(engine, app);
    clearInterval(sampler);
    row('cold build, all outputs incl. OVA', cold.wall, cold.tools.busyMs, '≤ 1.2× floor');
    const warm: number[] = [];
    for (let i = 0; i < 5; i++) warm.push((await build(engine, app)).wall);
    row('warm rebuild, nothing changed (median of 5)', median(warm), null, '≤ 150 ms');
    const page = path.join(app, 'rootfs', 'srv', 'www', 'index.html');
    const changed: { wall: number; floor: number }[] = [];
    for (let i = 0; i < 3; i++) {
      fs.appendFileSync(page, `<!-- edit ${i} ${Date.now()} -->\n`);
      const r = await build(engine, app);
      changed.push({ wall: r.wall, floor: r.tools.busyMs });
    }
    const mid = changed.sort((a, b) => a.wall - b.wall)[1];
    row('rebuild after changing one overlay file (median of 3)', mid.wall, mid.floor, '≤ 1.2× floor');
    row('engine memory (peak RSS of `yoke build`, cold, own process)', (await cliPeakRss(app)) / 1024 / 1024, null, '≤ 150 MB', (v) => `${v.toFixed(0)} MB`);
    void peakRss;

    // Reproducibility: a second cold build of the same folder in another data directory.
    const home2 = await makeTestHome('yoke-bench-home2-');
    // The appliance's update-signing key is an input (its public half is in the image): a release
    // pipeline provisions the same key everywhere, so the second data directory gets a copy.
    fs.cpSync(path.join(home, 'keys'), path.join(home2, 'keys'), { recursive: true });
    const engine2 = new Engine({ home: home2, face: 'cli' });
    const app2 = path.join(work, 'copy', 'hello-web');
    fs.mkdirSync(path.dirname(app2));
    copyDir(app, app2);
    const first = (await build(engine, app)).detail.artifacts;
    const second = (await build(engine2, app2)).detail.artifacts;
    await engine2.close();
    const key = (a: { format: string; disk?: string; path: string }) => `${a.format}:${a.disk ?? ''}:${path.basename(a.path)}`;
    const other = new Map(second.map((a) => [key(a), a.sha256]));
    // A diff update package exists only where an older build does (the first home has several).
    const comparable = first.filter((a) => !a.path.includes('.diff.'));
    const same = comparable.filter((a) => other.get(key(a)) === a.sha256).length;
    rows.push({ figure: 'reproducibility: identical artifacts across two cold builds', yoke: `${same}/${comparable.length}`, floor: '', ratio: '', target: 'all' });
    process.stderr.write(`  reproducible: ${same}/${comparable.length} artifacts identical\n`);
    return home;
  } finally {
    clearInterval(sampler);
    await engine.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function benchBoot(home: string): Promise<void> {
  process.stderr.write('boot and test (sample, TCG unless KVM works)\n');
  const engine = new Engine({ home, face: 'cli' });
  try {
    const b = startBuild(engine, { dir: sampleApplianceDir() });
    await b.done;
    const detail = engine.store().getBuild(b.buildId)!;
    const os = detail.artifacts.find((a) => a.disk === 'os' && a.format === 'raw')!.path;
    const data = detail.artifacts.find((a) => a.disk === 'data' && path.basename(a.path) === 'data.raw')!.path;
    const bootDir = path.join(path.dirname(os), 'boot');
    const floors: number[] = [];
    const directFloors: number[] = [];
    const ready: number[] = [];
    const total: number[] = [];
    for (let i = 0; i < 3; i++) {
      floors.push(await plainBootToHttp({ osDisk: os, dataDisk: data }));
      directFloors.push(await plainBootToHttp({ osDisk: os, dataDisk: data, kernel: path.join(bootDir, 'vmlinuz'), initrd: path.join(bootDir, 'initrd.zst'), append: fs.readFileSync(path.join(bootDir, 'cmdline'), 'utf8').trim() }));
      const t0 = performance.now();
      let lastCheck = 0;
      const off = engine.on((event, p) => {
        if (event === 'test.check' && (p as { status: string }).status !== 'waiting') lastCheck = performance.now();
      });
      const t = startTest(engine, { buildId: b.buildId });
      const outcome = await t.done;
      off();
      if (outcome.status !== 'succeeded') throw new Error(`bench test failed: ${outcome.error}`);
      ready.push(lastCheck - t0);
      total.push(performance.now() - t0);
    }
    const floor = median(floors);
    row('plain qemu, disk boot to HTTP 200 (floor, median of 3)', floor, null, '');
    row('plain qemu, direct kernel boot to HTTP 200 (median of 3)', median(directFloors), null, '');
    row('yoke test, build cached, to all checks passed (median of 3)', median(ready), floor, `≤ 1.15× floor + 0.3 s = ${ms(floor * 1.15 + 300)}`);
    row('yoke test incl. clean power-off (median of 3)', median(total), floor, '');
  } finally {
    await engine.close();
  }
}

/** Boot to all checks passed on each hardware profile, from the exported disks (`yoke test --hardware`). */
async function benchHardware(home: string): Promise<void> {
  process.stderr.write('hardware profiles (sample, exported disks, one run each)\n');
  const engine = new Engine({ home, face: 'cli' });
  try {
    const b = startBuild(engine, { dir: sampleApplianceDir() });
    await b.done;
    for (const v of HARDWARE_VARIANTS) {
      const t0 = performance.now();
      let lastCheck = 0;
      const off = engine.on((event, p) => {
        if (event === 'test.check' && (p as { status: string }).status !== 'waiting') lastCheck = performance.now();
      });
      const outcome = await startTest(engine, { buildId: b.buildId, hardware: v.name }).done;
      off();
      if (outcome.status !== 'succeeded') throw new Error(`bench test on ${v.name} failed: ${outcome.error}`);
      row(`yoke test --hardware ${v.name}: to all checks passed (disks prepared, boot, checks)`, lastCheck - t0, null, '');
    }
  } finally {
    await engine.close();
  }
}

async function main(): Promise<void> {
  let home: string | null = null;
  if (want('build') || want('boot') || want('hardware')) home = await benchBuild();
  if (want('boot') && home) await benchBoot(home);
  if (want('hardware') && home) await benchHardware(home);
  if (want('upgrade')) {
    process.stderr.write('upgrade test (sample 1.0.0 -> 1.1.0, swap)\n');
    const uhome = await makeTestHome('yoke-bench-upgrade-');
    const runs: { upgradeMs: number; floorMs: number }[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await upgradeBench({ home: uhome, oldDir: makeAppliance(uhome, `v1-${i}`, '1.0.0'), newDir: makeAppliance(uhome, `v2-${i}`, '1.1.0') });
      if (r.status !== 'passed') throw new Error(`bench upgrade test ${r.status}`);
      runs.push(r);
    }
    const mid = runs.sort((a, b) => a.upgradeMs - b.upgradeMs)[0];
    row('one upgrade test: two boots, seed, verify (best of 2)', mid.upgradeMs, mid.floorMs, '≤ 1.15× floor');
  }
  if (want('upgrade') || want('package') || want('rollback')) {
    const phome = await makeTestHome('yoke-bench-package-');
    if (want('upgrade') || want('package')) {
      process.stderr.write('package upgrade (sample 1.0.0 -> 1.1.0: OLD installs NEW\'s update package, reboots, NEW commits)\n');
      const r = await upgradeBench({ home: phome, oldDir: makeAppliance(phome, 'v1', '1.0.0'), newDir: makeAppliance(phome, 'v2', '1.1.0'), method: 'package' });
      if (r.status !== 'passed' || r.after?.version !== '1.1.0') throw new Error(`bench package upgrade ${r.status}, ended on ${JSON.stringify(r.after)}`);
      row('one package upgrade: OLD boots (checks, seed), installs, reboots; NEW on trial commits (checks, verify)', r.upgradeMs, r.floorMs, 'floor: two disk boots to ready');
    }
    if (want('upgrade') || want('rollback')) {
      process.stderr.write('package upgrade that rolls back (NEW mounts LABEL=appdata: its trial fails, OLD comes back)\n');
      const bad = makeAppliance(phome, 'v2-appdata', '1.2.0', (yaml, dir) => {
        fs.mkdirSync(path.join(dir, 'rootfs', 'etc'), { recursive: true });
        fs.writeFileSync(path.join(dir, 'rootfs', 'etc', 'fstab'), 'LABEL=appdata\t/data\text4\tdefaults\t0\t2\n');
        return yaml.replace('label: data', 'label: appdata').replace('- mount: /data', '- mount: /data\n    timeout: 5s');
      });
      // An OLD build of its own: the package row's seeded OLD disk would otherwise be reused (one boot fewer).
      const r = await upgradeBench({ home: phome, oldDir: makeAppliance(phome, 'v1-rollback', '1.0.0'), newDir: bad, method: 'package' });
      // The pair fails (the update did not take); what is timed is the appliance coming back by itself.
      if (!r.after?.rolledBack || r.after.version !== '1.0.0') throw new Error(`bench rollback: the appliance ended on ${JSON.stringify(r.after)}, not rolled back to 1.0.0`);
      row('one package upgrade that rolls back: OLD installs, NEW\'s trial cannot mount /data, OLD again (its checks)', r.upgradeMs, r.floorMs, 'floor: two disk boots to ready');
    }
  }
  if (want('upgrade') || want('debian-package')) {
    process.stderr.write('package upgrade, Debian base (notes-web 1.0.0 -> 2.0.0: kernel, initramfs and root image from the update medium, the root into root-b)\n');
    const dhome = await makeTestHome('yoke-bench-debian-package-');
    const oldDir = debianSample();
    const newDir = debianSample((y) => y.replace(/^version: .*$/m, 'version: 2.0.0'));
    const page = path.join(newDir, 'rootfs', 'usr', 'local', 'bin', 'notes-page');
    fs.writeFileSync(page, fs.readFileSync(page, 'utf8').replace('<h1>Notes</h1>', '<h1>Notes 2</h1>'));
    const r = await upgradeBench({ home: dhome, oldDir, newDir, method: 'package' });
    if (r.status !== 'passed' || r.after?.version !== '2.0.0') throw new Error(`bench Debian package upgrade ${r.status}, ended on ${JSON.stringify(r.after)}`);
    row('one package upgrade, Debian base (root image into root-b from the update medium; NEW commits, checks, verify)', r.upgradeMs, r.floorMs, 'floor: two disk boots to ready');
  }
  if (want('live')) {
    process.stderr.write('live loop (yoke dev on the sample: one page edited)\n');
    const lhome = await makeTestHome('yoke-bench-live-');
    const engine = new Engine({ home: lhome, face: 'cli' });
    try {
      const r = await benchLive(engine);
      row('yoke dev: page edited → checks green, change seen to checks done (median of 3)', median(r.loopMs), median(r.floorMs), '≤ 1 s');
      row('yoke dev: the same from the file write (adds the watch and the 40 ms debounce)', median(r.wallMs), median(r.floorMs), '≤ 1 s');
    } finally {
      await engine.close();
    }
  }
  if (want('matrix')) {
    process.stderr.write('upgrade matrix (3 released × 2 candidates, swap)\n');
    const r = await benchMatrix();
    row(`upgrade matrix 3 × 2, seeded OLD disks reused (${r.reuse.boots} boots)`, r.reuse.ms, r.fresh.ms, '≈ N + N·M = 9 boots, not 2·N·M = 12');
    row(`upgrade matrix 3 × 2, OLD booted for every pair (${r.fresh.boots} boots; the floor column)`, r.fresh.ms, null, '');
  }
  if (want('debian')) {
    process.stderr.write('Debian base (notes-web sample: nginx + sqlite3)\n');
    for (const r of await benchDebian((s) => process.stderr.write(`  ${s}\n`))) {
      if (r.yokeMs !== undefined) row(r.figure, r.yokeMs, r.floorMs ?? null, r.target);
      else {
        rows.push({ figure: r.figure, yoke: r.yoke ?? '', floor: r.floor ?? '', ratio: '', target: r.target });
        process.stderr.write(`  ${r.figure}: ${r.yoke} ${r.floor ? `(${r.floor})` : ''}\n`);
      }
    }
  }
  if (want('ui')) {
    // Loaded only here: playwright added ~45 MB to the process whose RSS the build figure reports.
    const { benchUi } = await import('./ui');
    for (const r of await benchUi()) rows.push(r);
  }
  const cols = ['figure', 'yoke', 'floor', 'ratio', 'target'] as const;
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(width[i])).join('  ');
  console.log('');
  console.log(line([...cols]));
  console.log(line(width.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
}

main().then(
  () => {
    removeTestHomes();
    process.exit(0);
  },
  (e) => {
    removeTestHomes();
    console.error(`bench failed: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
