// The Debian rows of `npm run bench` (--only debian): the nginx + sqlite3 sample (notes-web)
// built cold online and offline, rebuilt warm and after one overlay edit, its OS disk's size and
// its boot to ready — each beside a floor measured in the same run: the same mmdebstrap,
// tar and mkfs.erofs calls (Yoke's own argv builders) run directly with no engine around them,
// and the plain qemu boot. The peer to beat: debootstrap installing the same package set.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../src-main/api/engine';
import { startBuild } from '../../src-main/jobs/build-job';
import { startTest } from '../../src-main/jobs/test-job';
import { readLock } from '../../src-main/build/bases/debian-lock';
import { mirrorFor, mirrorSources, stageMirror } from '../../src-main/build/bases/debian-mirror';
import { debianSources, mmdebstrapArgs, type AptSource } from '../../src-main/tools/mmdebstrap';
import { tarExtractArgs } from '../../src-main/tools/tar';
import { mkfsErofsArgs } from '../../src-main/tools/mkfs-erofs';
import { fakerootArgs } from '../../src-main/tools/fakeroot';
import { takeToolTime } from '../../src-main/tools/tool-time';
import { sampleApplianceDir } from '../../src-main/util/resources';
import { makeTestHome } from '../integration/build/helpers';
import { plainBootToHttp } from './plain-boot';

export interface DebianRow {
  figure: string;
  yokeMs?: number;
  floorMs?: number | null;
  /** Rows that are not times (sizes) print these as they are. */
  yoke?: string;
  floor?: string;
  target: string;
}

const ROOT = path.resolve(__dirname, '../..');
const SAMPLE = path.join(ROOT, 'resources', 'sample', 'notes-web');
const EPOCH = '1700000000';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Runs a program directly (the floors: no engine, no runner), resolving to its wall time. */
function timed(argv: string[], o: { env?: Record<string, string>; offline?: boolean } = {}): Promise<number> {
  const full = o.offline ? ['unshare', '-n', '--', ...argv] : argv;
  const t0 = performance.now();
  const p = spawn(full[0], full.slice(1), { env: { ...process.env, LC_ALL: 'C', ...o.env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  return new Promise((resolve, reject) =>
    p.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${full.join(' ').slice(0, 200)} exited ${code}:\n${err}`)))),
  );
}

/** Bytes a tree takes on disk (du): debootstrap's result. */
async function treeBytes(dir: string): Promise<number> {
  const p = spawn('du', ['-s', '-B1', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  await new Promise((r) => p.on('close', r));
  return Number(out.split('\t')[0]);
}

/**
 * The floor of a Debian build: the same mmdebstrap call Yoke makes, then the base unpacked and
 * packed into erofs under one fakeroot state (what the rootfs stage runs), timed directly.
 */
async function directFloor(o: { packages: string[]; sources: AptSource[]; imageSources?: AptSource[]; offline: boolean; work: string }): Promise<{ ms: number; erofsBytes: number }> {
  const dir = fs.mkdtempSync(path.join(o.work, 'floor-'));
  const tar = path.join(dir, 'base.tar');
  const sync = o.offline ? undefined : { debs: path.join(dir, 'debs'), lists: path.join(dir, 'lists') };
  if (sync) for (const d of Object.values(sync)) fs.mkdirSync(d);
  const argv = mmdebstrapArgs({ mode: process.getuid?.() === 0 ? 'root' : 'unshare', release: 'bookworm', packages: o.packages, sources: o.sources, imageSources: o.imageSources, output: tar, syncOut: sync, offline: o.offline });
  let ms = await timed(['mmdebstrap', ...argv], { env: { SOURCE_DATE_EPOCH: EPOCH }, offline: o.offline });
  const root = path.join(dir, 'root');
  fs.mkdirSync(root);
  const state = path.join(dir, 'fakeroot.state');
  ms += await timed(['fakeroot', ...fakerootArgs(state, 'tar', tarExtractArgs(tar, root), false)]);
  const img = path.join(dir, 'root.erofs');
  ms += await timed(['fakeroot', ...fakerootArgs(state, 'mkfs.erofs', mkfsErofsArgs({ out: img, dir: root, epoch: Number(EPOCH), uuid: '01234567-89ab-cdef-0123-456789abcdef' }), true)]);
  const erofsBytes = fs.statSync(img).size;
  fs.rmSync(dir, { recursive: true, force: true });
  return { ms, erofsBytes };
}

async function engineBuild(engine: Engine, dir: string) {
  takeToolTime();
  const t0 = performance.now();
  const b = startBuild(engine, { dir });
  const outcome = await b.done;
  const wall = performance.now() - t0;
  const tools = takeToolTime();
  if (outcome.status !== 'succeeded') throw new Error(`bench Debian build failed: ${outcome.error}`);
  return { wall, tools, detail: engine.store().getBuild(b.buildId)!, buildId: b.buildId };
}

/** `yoke build --json` in its own process, with the network cut (unshare -n) when asked. */
async function cliBuild(app: string, home: string, offline: boolean): Promise<{ ms: number; osSha: string }> {
  const argv = [process.execPath, path.join(ROOT, 'bin', 'yoke.js'), 'build', app, '--home', home, '--json'];
  const full = offline ? ['unshare', '-n', '--', ...argv] : argv;
  const t0 = performance.now();
  const p = spawn(full[0], full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  const code = await new Promise<number | null>((r) => p.on('close', r));
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`yoke build (offline=${offline}) exited ${code}: ${err}`);
  const doc = JSON.parse(out) as { build: { artifacts: { disk?: string; format: string; sha256: string }[] } };
  return { ms, osSha: doc.build.artifacts.find((a) => a.disk === 'os' && a.format === 'raw')!.sha256 };
}

async function debootstrap(work: string): Promise<{ ms: number; bytes: number } | string> {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!['/usr/sbin/debootstrap', '/usr/bin/debootstrap'].some((p) => fs.existsSync(p))) return 'not installed (apt-get install debootstrap)';
  const dir = fs.mkdtempSync(path.join(work, 'debootstrap-'));
  try {
    const ms = await timed(['debootstrap', '--variant=minbase', '--include=nginx,sqlite3', 'bookworm', dir, 'http://deb.debian.org/debian']);
    return { ms, bytes: await treeBytes(dir) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Median time from starting `yoke test` to its last check passing, over `n` runs of a built build. */
async function testToReady(engine: Engine, buildId: number, n: number): Promise<number> {
  const ready: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    let last = 0;
    const off = engine.on((event, p) => {
      if (event === 'test.check' && (p as { status: string }).status !== 'waiting') last = performance.now();
    });
    const outcome = await startTest(engine, { buildId }).done;
    off();
    if (outcome.status !== 'succeeded') throw new Error(`bench Debian test failed: ${outcome.error}`);
    ready.push(last - t0);
  }
  return median(ready);
}

async function plainBoot(detail: { artifacts: { disk?: string | null; format: string; path: string }[] }, n: number): Promise<number> {
  const osDisk = detail.artifacts.find((a) => a.disk === 'os' && a.format === 'raw')!.path;
  const dataDisk = detail.artifacts.find((a) => a.disk === 'data' && path.basename(a.path) === 'data.raw')!.path;
  const runs: number[] = [];
  for (let i = 0; i < n; i++) runs.push(await plainBootToHttp({ osDisk, dataDisk }));
  return median(runs);
}

function copySample(src: string, dest: string): void {
  fs.cpSync(src, dest, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true, verbatimSymlinks: true });
}

export async function benchDebian(say: (s: string) => void): Promise<DebianRow[]> {
  const rows: DebianRow[] = [];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-bench-debian-'));
  fs.chmodSync(work, 0o755);
  const app = path.join(work, 'a', 'notes-web');
  copySample(SAMPLE, app);
  const lock = readLock(path.join(app, 'appliance.lock'));
  if (!lock) throw new Error(`${SAMPLE} has no appliance.lock`);
  const pinned = lock.packages.map((p) => `${p.name}=${p.version}`);
  const home = await makeTestHome('yoke-bench-debian-');
  const engine = new Engine({ home, face: 'cli' });
  try {
    say('Debian nginx + sqlite3 (notes-web): cold build online');
    const cold = await engineBuild(engine, app);
    const online = await directFloor({ packages: pinned, sources: debianSources('bookworm'), offline: false, work });
    rows.push({ figure: 'Debian: cold build online (floor: same mmdebstrap + tar + mkfs.erofs run directly)', yokeMs: cold.wall, floorMs: online.ms, target: '≤ 1.2× floor; faster than debootstrap' });

    const peer = await debootstrap(work);
    if (typeof peer === 'string') rows.push({ figure: 'debootstrap --variant=minbase --include=nginx,sqlite3 bookworm', yoke: peer, floor: '', target: '' });
    else {
      rows.push({ figure: 'debootstrap --variant=minbase --include=nginx,sqlite3 bookworm (the peer; floor column = Yoke cold online)', yokeMs: peer.ms, floorMs: cold.wall, target: 'Yoke faster (ratio > 1)' });
      rows.push({ figure: 'debootstrap tree size (du) vs Yoke erofs root', yoke: mb(peer.bytes), floor: mb(online.erofsBytes), target: '' });
    }

    const warm: number[] = [];
    for (let i = 0; i < 3; i++) warm.push((await engineBuild(engine, app)).wall);
    rows.push({ figure: 'Debian: warm rebuild, nothing changed (median of 3)', yokeMs: median(warm), floorMs: null, target: '≤ 150 ms' });

    const page = path.join(app, 'rootfs', 'usr', 'local', 'bin', 'notes-page');
    const edits: { wall: number; floor: number }[] = [];
    let last = cold;
    for (let i = 0; i < 3; i++) {
      fs.appendFileSync(page, `# edit ${i} ${Date.now()}\n`);
      last = await engineBuild(engine, app);
      edits.push({ wall: last.wall, floor: last.tools.busyMs });
    }
    const mid = edits.sort((a, b) => a.wall - b.wall)[1];
    rows.push({ figure: 'Debian: one overlay file changed (median of 3; floor: its tool calls)', yokeMs: mid.wall, floorMs: mid.floor, target: '≤ 2 s' });

    const osDisk = last.detail.artifacts.find((a) => a.disk === 'os' && a.format === 'raw')!;
    const qcow = last.detail.artifacts.find((a) => a.disk === 'os' && a.format === 'qcow2');
    const st = fs.statSync(osDisk.path);
    rows.push({ figure: 'Debian: OS disk, allocated (apparent) / qcow2; floor: its erofs root made directly', yoke: `${mb(st.blocks * 512)} (${mb(osDisk.bytes)}) / ${qcow ? mb(qcow.bytes) : '-'}`, floor: mb(online.erofsBytes), target: '' });

    say('Debian: cold build offline (cache warm, network cut)');
    const home2 = await makeTestHome('yoke-bench-debian-off-');
    fs.cpSync(path.join(home, 'cache', 'debian'), path.join(home2, 'cache', 'debian'), { recursive: true });
    const app2 = path.join(work, 'b', 'notes-web');
    copySample(SAMPLE, app2);
    const offline = process.getuid?.() === 0;
    const off = await cliBuild(app2, home2, offline);
    const mirror = mirrorFor(home, lock);
    if (!mirror.ok) throw new Error('the cold build kept no mirror for the sample lock');
    const staged = stageMirror(mirror.dir, work);
    let offFloor: number;
    try {
      offFloor = (await directFloor({ packages: pinned, sources: mirrorSources(staged, debianSources('bookworm')), imageSources: debianSources('bookworm'), offline: true, work })).ms;
    } finally {
      fs.rmSync(staged, { recursive: true, force: true });
    }
    rows.push({ figure: `Debian: cold build offline (${offline ? 'unshare -n' : 'cache-satisfied, network not cut'}; yoke CLI process; same OS disk: ${off.osSha === osDiskOf(cold.detail) ? 'yes' : 'NO'})`, yokeMs: off.ms, floorMs: offFloor, target: '≤ 1.2× floor; ≤ 15 s' });

    say('Debian: boot to ready');
    const bbHome = await makeTestHome('yoke-bench-debian-bb-');
    const bbEngine = new Engine({ home: bbHome, face: 'cli' });
    let bbBoot: number;
    try {
      const bbApp = path.join(work, 'hello-web');
      copySample(sampleApplianceDir(), bbApp);
      bbBoot = await plainBoot((await engineBuild(bbEngine, bbApp)).detail, 3);
    } finally {
      await bbEngine.close();
    }
    const debBoot = await plainBoot(last.detail, 3);
    rows.push({ figure: 'Debian: plain qemu boot to HTTP 200 (median of 3; floor: the busybox sample\'s)', yokeMs: debBoot, floorMs: bbBoot, target: '≤ 1.5×' });
    const ready = await testToReady(engine, last.buildId, 3);
    rows.push({ figure: 'Debian: yoke test, build cached, to all checks passed (median of 3; floor: its plain boot)', yokeMs: ready, floorMs: debBoot, target: '≤ 1.15× floor + 0.3 s' });
    return rows;
  } finally {
    await engine.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function osDiskOf(d: { artifacts: { disk?: string | null; format: string; sha256: string }[] }): string {
  return d.artifacts.find((a) => a.disk === 'os' && a.format === 'raw')!.sha256;
}
